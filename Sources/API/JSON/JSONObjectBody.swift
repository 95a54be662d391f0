import DecomposerCore
import Foundation
import Hummingbird
import SystemSupport

/// A request body that must be one JSON object, read field by field so each
/// wrong type or value gets a message naming the field and what it accepts
/// (Codable's errors name coding paths, not what a person should send).
struct JSONObjectBody {
    private let fields: [String: JSONValue]

    /// - Throws: `invalid_json` (400) for an empty body, bytes that are not
    ///   UTF-8 JSON, or JSON that is not an object.
    init(_ buffer: ByteBuffer) throws(APIError) {
        guard buffer.readableBytes > 0 else { throw .invalidJSON("the request body is empty; send a JSON object") }
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONParseError) in try JSONParser.parse(bytes) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue):
            value = parsedValue
        case .failure(let error) where error.reason == .invalidUTF8:
            throw .invalidJSON("the request body is not valid UTF-8 (\(error))")
        case .failure(let error):
            throw .invalidJSON("the request body is not valid JSON (\(error))")
        }
        guard case .object(let fields) = value else { throw .invalidJSON("the request body must be a JSON object") }
        self.fields = fields
    }

    /// A field's value as sent; nil when absent or `null` (which every field reads as absent).
    func value(_ name: String) -> JSONValue? {
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    /// An integer field: absent or `null` gives `fallback`; `true`, `"5"` and
    /// `5.5` are refused. `5.0` is accepted (JSON has one number type).
    func integer(_ name: String, default fallback: Int, allowed: String, where isValid: (Int) -> Bool) throws(APIError) -> Int {
        switch fields[name] {
        case nil, .null?:
            return fallback
        case .number(let number)?:
            if let value = Int(exactly: number), isValid(value) { return value }
        default:
            break
        }
        throw .invalidField("\(name) must be \(allowed)")
    }

    /// A boolean field: absent or `null` gives `fallback`; `"false"` and `0` are refused.
    func boolean(_ name: String, default fallback: Bool) throws(APIError) -> Bool {
        switch fields[name] {
        case nil, .null?: return fallback
        case .bool(let value)?: return value
        default: throw .invalidField("\(name) must be true or false")
        }
    }

    /// A required UUID string field.
    func uuid(_ name: String) throws(APIError) -> UUID {
        switch fields[name] {
        case nil, .null?:
            throw .invalidField("\(name) is required (the file_id returned by POST /api/upload)")
        case .string(let text)?:
            guard let id = UUID(spelling: text) else { throw .invalidField("\(name) must be a UUID, got '\(text.prefix(64))'") }
            return id
        default:
            throw .invalidField("\(name) must be a UUID string")
        }
    }
}

extension JSONObjectBody {
    /// An optional string field: absent or `null` gives nil; another type is refused.
    func string(_ name: String) throws(APIError) -> String? {
        switch value(name) {
        case nil: return nil
        case .string(let text)?: return text
        default: throw .invalidField("\(name) must be a string")
        }
    }
}
