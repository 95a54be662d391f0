import Foundation

/// An object's metadata as the JSON API gives it (`storage#object`), the fields callers act on.
/// `name` is relative to the client's prefix.
public struct StoredObject: Sendable, Equatable {
    public var name: String
    public var size: Int64
    /// CRC-32C of the stored bytes.
    public var crc32c: UInt32?
    /// Base64 MD5 of the stored bytes (absent for composite objects).
    public var md5Hash: String?
    /// Changes with every write of the name; the value `ifGenerationMatch` compares with.
    public var generation: Int64
    public var contentType: String?
    /// When the object was last written (`updated`), for age-based cleanup.
    public var updated: Date?

    public init(
        name: String, size: Int64, crc32c: UInt32?, md5Hash: String?, generation: Int64, contentType: String?,
        updated: Date? = nil
    ) {
        self.name = name
        self.size = size
        self.crc32c = crc32c
        self.md5Hash = md5Hash
        self.generation = generation
        self.contentType = contentType
        self.updated = updated
    }

    /// The JSON API's resource: numbers come as strings (`"size":"11"`).
    struct Resource: Decodable {
        let name: String
        let size: String?
        let crc32c: String?
        let md5Hash: String?
        let generation: String?
        let contentType: String?
        let updated: String?

        func object(removingPrefix prefix: String) throws(CloudStorageError) -> StoredObject {
            guard let size = Int64(size ?? ""), let generation = Int64(generation ?? "") else {
                throw .malformedReply("object \(name) has no numeric size and generation")
            }
            var crc: UInt32?
            if let crc32c {
                guard let parsed = CRC32C.parseBase64(crc32c) else {
                    throw .malformedReply("object \(name) has crc32c \(crc32c)")
                }
                crc = parsed
            }
            let relative = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
            return StoredObject(
                name: relative, size: size, crc32c: crc, md5Hash: md5Hash, generation: generation,
                contentType: contentType, updated: updated.flatMap(Self.date))
        }

        /// RFC 3339, with or without fractional seconds.
        static func date(_ text: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text)
        }
    }

    static func decode(_ body: [UInt8], removingPrefix prefix: String) throws(CloudStorageError) -> StoredObject {
        let resource: Resource
        do {
            resource = try JSONDecoder().decode(Resource.self, from: Data(body))
        } catch {
            throw .malformedReply("not an object resource: \(ErrorBody.excerpt(body))")
        }
        return try resource.object(removingPrefix: prefix)
    }
}
