import Foundation

/// Reads a well-formed prediction body straight from its bytes: the JSON is
/// checked in one pass and each layer's base64 is decoded directly into its
/// final array.
///
/// A response is megabytes of base64. The general path (`JSONSerialization`)
/// copies the body into `Data`, builds a `String` per layer, and copies again
/// when decoding the base64 into `Data` and then into `[UInt8]` — several
/// copies of the response and about 60 instructions per byte. This scanner
/// touches each byte once or twice.
///
/// It only ever answers for bodies it fully understands: a syntactically
/// valid JSON object with a non-empty `predictions` array whose first element
/// has a non-empty `layers` array of non-empty, canonically padded base64
/// strings, with no escape sequences anywhere and no duplicate keys it reads.
/// For anything else — every malformed body included — it returns nil and the
/// general path decides, with its precise error messages.
enum PredictionBodyScanner {
    static func decode(_ body: UnsafeBufferPointer<UInt8>) -> PredictionResponse? {
        var cursor = JSONCursor(bytes: body)
        guard let response = cursor.topLevel(), cursor.atEnd else { return nil }
        return response
    }
}

/// A forward-only reader over JSON bytes. Every method returns nil/false on
/// anything unexpected, which sends the body to the general path.
private struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    /// Nesting allowed while skipping values the scanner does not read.
    static let maxDepth = 64

    var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return index == bytes.count
        }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace.
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// `{ "predictions": [...], "deployedModelId": "...", ... }`
    mutating func topLevel() -> PredictionResponse? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var layers: [[UInt8]]?
        var modelID: String??
        if take(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
            if equals(key, "predictions") {
                guard layers == nil, let found = predictions() else { return nil }
                layers = found
            } else if equals(key, "deployedModelId") {
                guard modelID == nil else { return nil }
                if peek() == UInt8(ascii: "\"") {
                    guard let value = string(), let text = String(validating: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self) else {
                        return nil
                    }
                    modelID = .some(text)
                } else {
                    guard skipValue() else { return nil }
                    modelID = .some(nil)
                }
            } else {
                guard skipValue() else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), let layers else { return nil }
        return PredictionResponse(layers: layers, deployedModelID: modelID ?? nil)
    }

    /// `[ { "layers": [...] , ...}, ... ]`: the first prediction's layers.
    mutating func predictions() -> [[UInt8]]? {
        guard take(UInt8(ascii: "[")), take(UInt8(ascii: "{")) else { return nil }
        var layers: [[UInt8]]?
        if take(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
            if equals(key, "layers") {
                guard layers == nil, let found = layerArray() else { return nil }
                layers = found
            } else {
                guard skipValue() else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        // Further predictions are ignored, but must still be valid JSON.
        while take(UInt8(ascii: ",")) {
            guard skipValue() else { return nil }
        }
        guard take(UInt8(ascii: "]")) else { return nil }
        return layers
    }

    /// `[ "<base64>", ... ]`, decoded.
    mutating func layerArray() -> [[UInt8]]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var layers: [[UInt8]] = []
        if take(UInt8(ascii: "]")) { return nil }
        repeat {
            guard let encoded = base64String(), let decoded = CanonicalBase64.decode(UnsafeBufferPointer(rebasing: bytes[encoded])) else {
                return nil
            }
            layers.append(decoded)
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        return layers
    }

    /// A string without escapes or control characters; returns its contents' range.
    mutating func string() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            // Escapes are legal JSON but never needed here; the general path reads them.
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// A layer's string, up to the next quote (`memchr`: megabytes, so not byte by byte as
    /// `string()` goes). Its bytes are left to the base64 decoder, which refuses every byte
    /// outside its alphabet — a backslash (an escape) and control characters among them — so
    /// such a string still goes to the general path.
    mutating func base64String() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")), index < bytes.count, let base = bytes.baseAddress,
              let quote = memchr(base + index, Int32(UInt8(ascii: "\"")), bytes.count - index)
        else { return nil }
        let start = index
        index = base.distance(to: quote.assumingMemoryBound(to: UInt8.self)) + 1
        return start..<(index - 1)
    }

    func equals(_ range: Range<Int>, _ key: StaticString) -> Bool {
        guard range.count == key.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        return zip(bytes[range], expected).allSatisfy { $0 == $1 }
    }

    /// Skips one value of any kind, checking its syntax, without recursion.
    mutating func skipValue() -> Bool {
        var open: [UInt8] = []  // closing brackets still expected
        repeat {
            guard let first = peek() else { return false }
            switch first {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                index += 1
                guard open.count < Self.maxDepth else { return false }
                let closing = first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if take(closing) { break }
                open.append(closing)
                if closing == UInt8(ascii: "}") {
                    guard skipKey() else { return false }
                }
                continue
            case UInt8(ascii: "\""):
                guard let range = string(), String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) != nil else {
                    return false
                }
            case UInt8(ascii: "t"): guard literal("true") else { return false }
            case UInt8(ascii: "f"): guard literal("false") else { return false }
            case UInt8(ascii: "n"): guard literal("null") else { return false }
            default: guard number() else { return false }
            }
            // After a complete value: close containers, or move to the next element.
            while let closing = open.last {
                if take(UInt8(ascii: ",")) {
                    if closing == UInt8(ascii: "}") {
                        guard skipKey() else { return false }
                    }
                    break
                }
                guard take(closing) else { return false }
                open.removeLast()
            }
        } while !open.isEmpty
        return true
    }

    /// `"key" :` inside an object being skipped.
    private mutating func skipKey() -> Bool {
        guard let key = string(), String(validating: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self) != nil else {
            return false
        }
        return take(UInt8(ascii: ":"))
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count, equals(index..<(index + count), word) else { return false }
        index += count
        return true
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> Bool {
        func digits(_ cursor: inout JSONCursor) -> Int {
            let start = cursor.index
            while cursor.index < cursor.bytes.count, (0x30...0x39).contains(cursor.bytes[cursor.index]) { cursor.index += 1 }
            return cursor.index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { return false }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { return false }
        }
        return true
    }
}
