/// A strict RFC 8259 parser from bytes to `JSONValue`.
///
/// It exists because every enqueue parses a request body and the API parses
/// every job event it routes: measured against the alternatives on those very
/// inputs (bench/RESULTS.md, "Own parsers vs libraries"), it reads a decompose
/// body in about 1 µs and a completed job's event in about 9, some three times
/// faster than `JSONSerialization` or `JSONDecoder` and than swift-protobuf's
/// reader on the event. Nesting is bounded so a hostile body cannot exhaust the stack.
public struct JSONParser {
    public static let defaultMaxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private var offset = 0

    private init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses exactly one value, with optional whitespace around it.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else { throw parser.error(.syntax("unexpected data after the value")) }
        return value
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buffer in Result { () throws(JSONParseError) in try parse(buffer, maxDepth: maxDepth) } }.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }.get()
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw error(.syntax("unexpected end of input")) }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error(.syntax("unexpected character"))
        }
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth)) }
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error(.syntax("expected a member name")) }
            let name = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error(.syntax("expected ':'")) }
            offset += 1
            skipWhitespace()
            members[name] = try value(depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ",")?: offset += 1
            case UInt8(ascii: "}")?: offset += 1; return .object(members)
            default: throw error(.syntax("expected ',' or '}'"))
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth)) }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ",")?: offset += 1
            case UInt8(ascii: "]")?: offset += 1; return .array(elements)
            default: throw error(.syntax("expected ',' or ']'"))
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
            memcmpEqual(bytes.baseAddress! + offset, word.utf8Start, count)
        else { throw error(.syntax("unexpected character")) }
        offset += count
    }

    private mutating func number() throws(JSONParseError) -> Double {
        let start = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        if peek() == UInt8(ascii: "0") {
            offset += 1
        } else if isDigit(peek()) {
            skipDigits()
        } else {
            throw error(.syntax("invalid number"))
        }
        if peek() == UInt8(ascii: ".") {
            offset += 1
            guard isDigit(peek()) else { throw error(.syntax("invalid number")) }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard isDigit(peek()) else { throw error(.syntax("invalid number")) }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw error(.syntax("number out of range"), at: start) }
        return number
    }

    // MARK: - Strings

    /// Reads a string starting at its opening quote. Strings without escapes
    /// (nearly all of them) are validated and copied in one step.
    private mutating func string() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = try utf8String(start..<offset)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw error(.syntax("unescaped control character in a string")) }
            offset += 1
        }
        throw error(.syntax("unterminated string"))
    }

    private mutating func escapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: buffer, as: UTF8.self) else { throw error(.invalidUTF8, at: start) }
                return text
            case UInt8(ascii: "\\"):
                try appendEscape(to: &buffer)
            case ..<0x20:
                throw error(.syntax("unescaped control character in a string"), at: offset - 1)
            default:
                buffer.append(byte)
            }
        }
        throw error(.syntax("unterminated string"))
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        guard let byte = peek() else { throw error(.syntax("unterminated string")) }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                else { throw error(.syntax("unpaired surrogate")) }
                offset += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error(.syntax("unpaired surrogate")) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error(.syntax("unpaired surrogate"))
            }
            buffer.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
        default:
            throw error(.syntax("invalid escape"), at: offset - 1)
        }
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error(.syntax("invalid \\u escape")) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.syntax("invalid \\u escape"))
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    private func utf8String(_ range: Range<Int>) throws(JSONParseError) -> String {
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw error(.invalidUTF8, at: range.lowerBound)
        }
        return text
    }

    // MARK: - Scanning

    private func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(peek()) { offset += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    private func error(_ reason: JSONParseError.Reason, at position: Int? = nil) -> JSONParseError {
        JSONParseError(reason: reason, offset: position ?? offset)
    }
}

private func memcmpEqual(_ lhs: UnsafeRawPointer, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for index in 0..<count where lhs.load(fromByteOffset: index, as: UInt8.self) != rhs[index] { return false }
    return true
}
