/// `google.protobuf.Duration` as it appears in JSON error details.
///
/// The canonical JSON form is a decimal string of seconds with an `s` suffix
/// (`"4s"`, `"1.5s"`, `"0.250s"`); some encoders emit the object form
/// `{"seconds": 4, "nanos": 0}`. Parsed exactly (no `Double`), so `"0.1s"` is
/// 100 ms on the dot.
enum ProtobufDuration {
    static func parse(_ value: Any?) -> Duration? {
        if let text = value as? String { return parse(text) }
        if let object = value as? [String: Any] {
            let seconds = integer(object["seconds"]) ?? 0
            let nanos = integer(object["nanos"]) ?? 0
            guard seconds >= 0, (0..<1_000_000_000).contains(nanos) else { return nil }
            return .seconds(seconds) + .nanoseconds(nanos)
        }
        return nil
    }

    static func parse(_ text: String) -> Duration? {
        var text = Substring(text.trimmingWhitespace())
        guard text.hasSuffix("s") else { return nil }
        text.removeLast()
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.allSatisfy(\.isASCIIDigit),
              let whole = Int64(wholeText)
        else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCIIDigit),
                  let digits = Int64(fraction)
            else { return nil }
            nanos = digits
            for _ in fraction.count..<9 { nanos *= 10 }
        }
        return .seconds(whole) + .nanoseconds(nanos)
    }

    private static func integer(_ value: Any?) -> Int64? {
        if let number = value as? Int { return Int64(number) }
        if let text = value as? String { return Int64(text) }  // int64 is a string in proto JSON
        return nil
    }
}
