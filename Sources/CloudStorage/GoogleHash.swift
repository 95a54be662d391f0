import Foundation

/// The `x-goog-hash` header of a download (`crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==`): the
/// stored object's checksums, compared with what arrived.
enum GoogleHash {
    static func crc32c(in headers: [String: String]) -> UInt32? {
        guard let header = headers["x-goog-hash"] else { return nil }
        for part in header.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.hasPrefix("crc32c=") { return CRC32C.parseBase64(String(item.dropFirst("crc32c=".count))) }
        }
        return nil
    }

    /// Throws when the header names a CRC-32C other than `received`. Nothing to compare when the header
    /// is absent, or when the body came with a `Content-Encoding` (libcurl decoded it, while the hash is
    /// of the stored, encoded bytes); the objects this project writes are never encoded.
    static func verify(_ headers: [String: String], received: UInt32, name: String) throws(CloudStorageError) {
        if let encoding = headers["content-encoding"], encoding.lowercased() != "identity" { return }
        guard let expected = crc32c(in: headers) else { return }
        guard expected == received else {
            throw .integrityMismatch(
                "\(name): received crc32c \(CRC32C.base64(received)), Cloud Storage has \(CRC32C.base64(expected))")
        }
    }
}
