import Foundation

/// The pieces of Cloud Storage URLs: object names and query values percent-encoded as Google asks
/// (everything but RFC 3986's unreserved characters, so `/`, `?`, `#`, spaces and non-ASCII in a
/// name stay part of it), and the host of the endpoint.
enum URLParts {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One path segment or query value.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `name=value&…`, each part encoded.
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    static func host(of url: String) -> String? {
        URLComponents(string: url)?.host
    }
}
