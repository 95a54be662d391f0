import Foundation

/// An IP address a webhook's host is or resolves to (4 or 16 bytes), and whether the deliverer may
/// connect to it: never into the cluster's private networks, the node itself, link-local (the
/// metadata server at 169.254.169.254 included), multicast or reserved space, in any spelling
/// (IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are judged by the IPv4 address they carry).
public struct WebhookAddress: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A literal as text: a canonical dotted quad, or IPv6 (with or without brackets); nil otherwise.
    public init?(literal: String) {
        var text = literal
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public var isIPv6: Bool { bytes.count == 16 }

    /// As libcurl's `CURLOPT_CONNECT_TO` and people write it (`[::1]` for IPv6).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let text: String = bytes.withUnsafeBytes { raw in
            guard inet_ntop(isIPv6 ? AF_INET6 : AF_INET, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil else {
                return "?"
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return isIPv6 ? "[\(text)]" : text
    }

    /// Whether it is the node itself (127/8, ::1, and their mapped forms).
    public var isLoopback: Bool {
        if let v4 = embeddedIPv4 { return v4[0] == 127 }
        return isIPv6 && bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// Why no webhook may be delivered to it; nil when it is a public address (or loopback, when
    /// `allowLoopback`: the `WEBHOOK_ALLOW_HTTP` development case).
    public func refusal(allowLoopback: Bool) -> String? {
        if isLoopback { return allowLoopback ? nil : "a loopback address (\(self))" }
        if let v4 = embeddedIPv4 { return Self.refusal(ipv4: v4).map { "\($0) (\(self))" } }
        if isIPv6 { return Self.refusal(ipv6: bytes).map { "\($0) (\(self))" } }
        return nil
    }

    /// The IPv4 address an address is or carries: itself, ::ffff:a.b.c.d (mapped), ::a.b.c.d
    /// (the deprecated compatible form), 64:ff9b::a.b.c.d (NAT64).
    var embeddedIPv4: [UInt8]? {
        if !isIPv6 { return bytes }
        let head = Array(bytes[0..<12]), tail = Array(bytes[12..<16])
        let zero10 = [UInt8](repeating: 0, count: 10)
        if head == zero10 + [0xff, 0xff] { return tail }
        if head == zero10 + [0, 0], tail != [0, 0, 0, 0], tail != [0, 0, 0, 1] { return tail }
        if head == [0, 0x64, 0xff, 0x9b] + [UInt8](repeating: 0, count: 8) { return tail }
        return nil
    }

    private static func refusal(ipv4 b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "an unspecified address"
        case (10, _), (172, 16...31), (192, 168): return "a private address"
        case (100, 64...127): return "a carrier-grade NAT address"
        case (169, 254): return "a link-local address (the cloud metadata server lives there)"
        case (192, 0) where b[2] == 0: return "a reserved address"
        case (198, 18...19): return "a reserved address"
        case (224...239, _): return "a multicast address"
        case (240...255, _): return "a reserved address"
        default: return nil
        }
    }

    private static func refusal(ipv6 b: [UInt8]) -> String? {
        if b.allSatisfy({ $0 == 0 }) { return "an unspecified address" }
        if b[0] == 0 && b[1..<12].allSatisfy({ $0 == 0 }) { return "a reserved address" }
        if b[0] & 0xfe == 0xfc { return "a private (unique local) address" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local address" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return "a site-local address" }
        if b[0] == 0xff { return "a multicast address" }
        return nil
    }
}
