/// The `; name=value` parameters of a header such as Content-Type or
/// Content-Disposition (RFC 9110 §5.6.6), values quoted or not. Names are
/// lower-cased; the first occurrence of a name wins.
enum HeaderParameters {
    /// The media type of a Content-Type, lower-cased, without parameters or
    /// surrounding whitespace: `multipart/form-data`, `application/json`.
    /// Read on every request with a body, so without Foundation's bridging.
    static func mediaType(of header: String) -> String {
        let type = header.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let trimmed = type.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return String(decoding: trimmed, as: UTF8.self).lowercased()
    }

    static func parse(_ header: String) -> [String: String] {
        var parameters: [String: String] = [:]
        var scalars = Substring(header).unicodeScalars[...]
        // Skip the leading value (media type or disposition type).
        guard let firstSemicolon = scalars.firstIndex(of: ";") else { return [:] }
        scalars = scalars[scalars.index(after: firstSemicolon)...]
        while !scalars.isEmpty {
            scalars = scalars.drop { $0 == " " || $0 == "\t" }
            let nameEnd = scalars.firstIndex { $0 == "=" || $0 == ";" } ?? scalars.endIndex
            let name = String(String.UnicodeScalarView(scalars[..<nameEnd])).trimmingCharacters(in: .whitespaces).lowercased()
            scalars = scalars[nameEnd...]
            var value = ""
            if scalars.first == "=" {
                scalars = scalars.dropFirst()
                let quoted = scalars.first == "\""
                if quoted {
                    scalars = scalars.dropFirst()
                    while let scalar = scalars.first, scalar != "\"" {
                        scalars = scalars.dropFirst()
                        if scalar == "\\", let escaped = scalars.first {
                            value.unicodeScalars.append(escaped)
                            scalars = scalars.dropFirst()
                        } else {
                            value.unicodeScalars.append(scalar)
                        }
                    }
                    scalars = scalars.dropFirst()  // the closing quote
                }
                let end = scalars.firstIndex(of: ";") ?? scalars.endIndex
                if !quoted {
                    value = String(String.UnicodeScalarView(scalars[..<end])).trimmingCharacters(in: .whitespaces)
                }
                scalars = scalars[end...]
            }
            scalars = scalars.drop { $0 != ";" }.dropFirst()
            if !name.isEmpty, parameters[name] == nil { parameters[name] = value }
        }
        return parameters
    }
}
