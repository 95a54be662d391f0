import Foundation
import SystemSupport

/// Looks a webhook's host name up. Injected, so unit tests never make a DNS query; `system` asks
/// the operating system's resolver (getaddrinfo, off the concurrency pool: it blocks).
public struct WebhookResolver: Sendable {
    public let lookUp: @Sendable (String) async throws -> [WebhookAddress]

    public init(lookUp: @escaping @Sendable (String) async throws -> [WebhookAddress]) { self.lookUp = lookUp }

    /// Fixed answers by host name (tests); any other name does not resolve.
    public static func fixed(_ answers: [String: [WebhookAddress]]) -> WebhookResolver {
        WebhookResolver { host in
            guard let addresses = answers[host] else { throw WebhookTargetRefusal("no such host") }
            return addresses
        }
    }

    public static let system = WebhookResolver { host in
        try await BlockingIO.run { () throws -> [WebhookAddress] in
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0 else { throw WebhookTargetRefusal(String(cString: gai_strerror(status))) }
            defer { freeaddrinfo(list) }
            var addresses: [WebhookAddress] = []
            var node = list
            while let entry = node?.pointee {
                if let sa = entry.ai_addr {
                    if entry.ai_family == AF_INET {
                        let bytes = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                            withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                        }
                        if let address = WebhookAddress(bytes: bytes), !addresses.contains(address) { addresses.append(address) }
                    } else if entry.ai_family == AF_INET6 {
                        let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                            withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                        }
                        if let address = WebhookAddress(bytes: bytes), !addresses.contains(address) { addresses.append(address) }
                    }
                }
                node = entry.ai_next
            }
            return addresses
        }
    }
}
