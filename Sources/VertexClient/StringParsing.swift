// Small parsing helpers shared by the header and body parsers.

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
