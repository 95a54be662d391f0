import DecomposerCore
import Foundation

/// Which receivers a job's webhook may name (server-side request forgery rules): `https` only
/// (plain `http` to loopback too with `WEBHOOK_ALLOW_HTTP`), no user-info, no private,
/// loopback, link-local, metadata, multicast or reserved address, and only the hosts of
/// `WEBHOOK_ALLOWED_HOSTS` when it is set. `check` judges the URL itself (the API at submit; no
/// lookup); `pin` judges every address its host resolves to, right before a delivery, and
/// answers the one to connect to, so a DNS answer that changes afterwards cannot redirect it.
public struct WebhookTargetPolicy: Sendable {
    public let allowHTTP: Bool
    public let allowedHosts: Set<String>

    /// Cloud metadata servers' names; their addresses are refused anyway, the names say why sooner.
    static let metadataHosts: Set<String> = [
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    ]
    static let maximumLength = 2048

    public init(allowHTTP: Bool = false, allowedHosts: [String] = []) {
        self.allowHTTP = allowHTTP
        self.allowedHosts = Set(allowedHosts.map { Self.normalized($0) })
    }

    public init(_ settings: WebhookSettings) {
        self.init(allowHTTP: settings.allowHTTP, allowedHosts: settings.allowedHosts)
    }

    /// The URL's own checks: syntax, scheme, user-info, host names and literal addresses.
    public func check(_ url: String) throws(WebhookTargetRefusal) -> WebhookTarget {
        guard url.utf8.count <= Self.maximumLength else {
            throw WebhookTargetRefusal("the webhook URL is longer than \(Self.maximumLength) bytes")
        }
        guard let parts = URLComponents(string: url), let rawScheme = parts.scheme else {
            throw WebhookTargetRefusal("the webhook is not an absolute URL")
        }
        let scheme = rawScheme.lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw WebhookTargetRefusal("the webhook must be an https:// URL, not \(scheme.prefix(16)):")
        }
        guard parts.percentEncodedUser == nil, parts.percentEncodedPassword == nil else {
            throw WebhookTargetRefusal("the webhook URL may not carry a user name or password (user@host)")
        }
        guard let rawHost = parts.percentEncodedHost, !rawHost.isEmpty else {
            throw WebhookTargetRefusal("the webhook URL has no host")
        }
        guard !rawHost.contains("%") else { throw WebhookTargetRefusal("the webhook's host may not be percent-encoded") }
        let host = Self.normalized(rawHost)
        let port = parts.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw WebhookTargetRefusal("the webhook's port is out of range") }
        if !allowedHosts.isEmpty && !allowedHosts.contains(host) {
            throw WebhookTargetRefusal("the webhook's host \(host.prefix(64)) is not one of WEBHOOK_ALLOWED_HOSTS")
        }
        if Self.metadataHosts.contains(host) {
            throw WebhookTargetRefusal("the webhook's host \(host) is a cloud metadata server")
        }
        let literal = WebhookAddress(literal: host)
        if literal == nil, Self.looksNumeric(host) {
            throw WebhookTargetRefusal("the webhook's host \(host.prefix(64)) is not a canonical IP address")
        }
        let loopbackName = host == "localhost" || host.hasSuffix(".localhost")
        if scheme == "http" {
            let loopback = loopbackName || literal?.isLoopback == true
            guard allowHTTP, loopback else {
                throw WebhookTargetRefusal(
                    allowHTTP
                        ? "plain http:// webhooks may only go to loopback; use https://"
                        : "the webhook must be an https:// URL (plain http:// is refused)")
            }
        }
        if let literal, let why = literal.refusal(allowLoopback: allowHTTP) {
            throw WebhookTargetRefusal("the webhook's host is \(why)")
        }
        if loopbackName && !allowHTTP { throw WebhookTargetRefusal("the webhook's host is loopback (\(host))") }
        return WebhookTarget(url: url, scheme: scheme, host: host, port: port, literal: literal)
    }

    /// The address to connect to for a delivery: the literal, or the first the host resolves to,
    /// when every one it resolves to is allowed (one refused address refuses the host: a
    /// rebinding answer mixes a public and an internal one).
    public func pin(_ target: WebhookTarget, resolver: WebhookResolver) async throws(WebhookTargetRefusal) -> WebhookAddress {
        if let literal = target.literal { return literal }
        let addresses: [WebhookAddress]
        do {
            addresses = try await resolver.lookUp(target.host)
        } catch {
            throw WebhookTargetRefusal("the webhook's host \(target.host) does not resolve (\(error))")
        }
        guard let first = addresses.first else {
            throw WebhookTargetRefusal("the webhook's host \(target.host) resolves to no address")
        }
        for address in addresses {
            if let why = address.refusal(allowLoopback: allowHTTP) {
                throw WebhookTargetRefusal("the webhook's host \(target.host) resolves to \(why)")
            }
            if target.scheme == "http" && !address.isLoopback {
                throw WebhookTargetRefusal("plain http:// webhooks may only go to loopback, and \(target.host) resolves to \(address)")
            }
        }
        return first
    }

    /// Lowercased, without IPv6 brackets or a trailing dot (`Example.COM.` is `example.com`).
    static func normalized(_ host: String) -> String {
        var text = host.lowercased()
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A host whose last label is a number (`2130706433`, `0x7f.1`, `127.1`): resolvers read
    /// such names as IPv4 addresses in forms a check of dotted quads would miss (WHATWG's rule).
    static func looksNumeric(_ host: String) -> Bool {
        guard let last = host.split(separator: ".").last else { return false }
        return last.allSatisfy(\.isNumber) || last.hasPrefix("0x")
    }
}
