import Foundation

/// Where a signed URL points: the scheme and the `Host` header a client will send for it
/// (`host`, or `host:port` when the port is not the scheme's default). The host signed is the
/// one the URL names, so a loopback endpoint (`http://127.0.0.1:4443`) gets a URL whose
/// signature matches the request made to it. Path style: `/{bucket}/{object}`.
public struct SigningEndpoint: Sendable, Equatable {
    public let scheme: String
    public let host: String

    public init(_ url: String) throws(SignedURLError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let name = parts.host, !name.isEmpty,
            parts.user == nil, parts.password == nil, parts.query == nil, parts.fragment == nil,
            parts.path.isEmpty || parts.path == "/"
        else { throw .invalidEndpoint(url) }
        let bracketed = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
        let defaultPort = scheme == "https" ? 443 : 80
        self.scheme = scheme
        if let port = parts.port, port != defaultPort {
            host = "\(bracketed.lowercased()):\(port)"
        } else {
            host = bracketed.lowercased()
        }
    }

    /// `scheme://host`, with no trailing slash.
    public var origin: String { "\(scheme)://\(host)" }
}
