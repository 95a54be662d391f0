import Crypto
import Foundation

/// One GET of one object, as Google's V4 signing process for Cloud Storage describes it:
/// the canonical request, the string to sign (`GOOG4-RSA-SHA256`, the time, the credential scope
/// `{date}/auto/storage/goog4_request`, the hex SHA-256 of the canonical request) and, once an
/// RSA-SHA256 signature of that string is in hand, the URL carrying it hex-encoded. Only `host`
/// is a signed header and the payload is `UNSIGNED-PAYLOAD`, so any client can follow the URL.
/// Pure: the same inputs give the same bytes, which is what the known-answer tests check.
public struct V4SigningRequest: Sendable, Equatable {
    public static let algorithm = "GOOG4-RSA-SHA256"

    public let endpoint: SigningEndpoint
    public let bucket: String
    public let object: String
    public let serviceAccount: String
    /// The signing time, whole seconds (UTC).
    public let date: Date
    public let lifetimeSeconds: Int

    public init(
        endpoint: SigningEndpoint, bucket: String, object: String, serviceAccount: String, date: Date,
        lifetimeSeconds: Int
    ) throws(SignedURLError) {
        guard V4URLSigner.lifetimeRange.contains(lifetimeSeconds) else { throw .invalidLifetime(String(lifetimeSeconds)) }
        guard !bucket.isEmpty, bucket.utf8.count <= 222,
            bucket.utf8.allSatisfy({ Self.bucketCharacters.contains($0) })
        else { throw .invalidBucketName(bucket) }
        guard !object.isEmpty else { throw .invalidObjectName("it is empty") }
        guard object.utf8.count <= 1024 else { throw .invalidObjectName("longer than 1024 bytes of UTF-8") }
        guard !object.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            throw .invalidObjectName("it contains a line break, which Cloud Storage does not allow")
        }
        self.endpoint = endpoint
        self.bucket = bucket
        self.object = object
        self.serviceAccount = serviceAccount
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down))
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the `X-Goog-Date`.
    public var timestamp: String { Self.utc(date).timestamp }

    /// `{YYYYMMDD}/auto/storage/goog4_request`.
    public var credentialScope: String { "\(Self.utc(date).day)/auto/storage/goog4_request" }

    /// `/{bucket}/{object}`, each path segment percent-encoded, the object's slashes kept.
    public var canonicalURI: String {
        "/" + SigningPercentEncoding.encodePath(bucket) + "/" + SigningPercentEncoding.encodePath(object)
    }

    /// The `X-Goog-*` parameters, names and values percent-encoded, sorted by name.
    public var canonicalQuery: String {
        let parameters = [
            ("X-Goog-Algorithm", Self.algorithm),
            ("X-Goog-Credential", "\(serviceAccount)/\(credentialScope)"),
            ("X-Goog-Date", timestamp),
            ("X-Goog-Expires", String(lifetimeSeconds)),
            ("X-Goog-SignedHeaders", "host"),
        ]
        return parameters.map { (SigningPercentEncoding.encode($0.0), SigningPercentEncoding.encode($0.1)) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Verb, path, query, headers (each `name:value\n`, then the blank line), signed header
    /// names, payload hash: newline-separated.
    public var canonicalRequest: String {
        ["GET", canonicalURI, canonicalQuery, "host:\(endpoint.host)\n", "host", "UNSIGNED-PAYLOAD"]
            .joined(separator: "\n")
    }

    public var stringToSign: String {
        let hash = SigningPercentEncoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return [Self.algorithm, timestamp, credentialScope, hash].joined(separator: "\n")
    }

    /// The signed URL: the canonical path and query as signed, then `X-Goog-Signature` in lowercase hex.
    public func url(signature: [UInt8]) -> String {
        "\(endpoint.origin)\(canonicalURI)?\(canonicalQuery)&X-Goog-Signature=\(SigningPercentEncoding.hex(signature))"
    }

    public var expires: Date { date.addingTimeInterval(TimeInterval(lifetimeSeconds)) }

    private static let bucketCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.".utf8)

    private static func utc(_ date: Date) -> (day: String, timestamp: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : String($0) } ?? "00" }
        let year = String(c.year ?? 1970)
        let day = String(repeating: "0", count: max(0, 4 - year.count)) + year + two(c.month) + two(c.day)
        return (day, "\(day)T\(two(c.hour))\(two(c.minute))\(two(c.second))Z")
    }
}
