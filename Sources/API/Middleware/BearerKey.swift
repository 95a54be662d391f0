import Crypto
import Hummingbird

/// A secret a client presents as `Authorization: Bearer <key>`: `API_KEY` for the API,
/// `ADMIN_API_KEY` for the admin API. Only its digest is kept.
struct BearerKey: Sendable {
    private let expectedDigest: [UInt8]

    init(_ key: String) {
        expectedDigest = Array(SHA256.hash(data: Array(key.utf8)))
    }

    /// Compares digests in constant time, so neither the key's content nor its
    /// length leaks through response timing.
    func accepts(_ key: String) -> Bool {
        let presented = Array(SHA256.hash(data: Array(key.utf8)))
        return zip(presented, expectedDigest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The key of an `Authorization: Bearer <key>` header; nil without one (or with another scheme).
    static func presented(in request: Request) -> String? {
        guard let authorization = request.headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}
