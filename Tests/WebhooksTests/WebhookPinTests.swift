import Testing
import Webhooks

/// The delivery-time rule: every address the host resolves to is judged (an injected resolver:
/// no DNS query), and the one connected to is the one checked.
@Suite struct WebhookPinTests {
    func address(_ text: String) -> WebhookAddress { WebhookAddress(literal: text)! }

    @Test func aPublicAnswerIsPinned() async throws {
        let resolver = WebhookResolver.fixed(["hooks.example.com": [address("93.184.216.34"), address("2606:2800:220:1::1")]])
        let policy = WebhookTargetPolicy()
        let pinned = try await policy.pin(try policy.check("https://hooks.example.com/x"), resolver: resolver)
        #expect(pinned == address("93.184.216.34"))
    }

    @Test(arguments: ["10.0.0.7", "127.0.0.1", "169.254.169.254", "::ffff:192.168.0.1", "fe80::2", "0.0.0.0"])
    func aNameResolvingToAnInternalAddressIsRefused(inside: String) async throws {
        // Rebinding: a public answer next to an internal one refuses the host.
        let resolver = WebhookResolver.fixed(["rebind.example.com": [address("93.184.216.34"), address(inside)]])
        let policy = WebhookTargetPolicy()
        let target = try policy.check("https://rebind.example.com/x")
        await #expect(throws: WebhookTargetRefusal.self) { try await policy.pin(target, resolver: resolver) }
    }

    @Test func plainHTTPMustResolveToLoopback() async throws {
        let policy = WebhookTargetPolicy(allowHTTP: true)
        let resolver = WebhookResolver.fixed(["localhost": [address("127.0.0.1")], "app.localhost": [address("93.184.216.34")]])
        #expect(try await policy.pin(try policy.check("http://localhost:8080/x"), resolver: resolver) == address("127.0.0.1"))
        await #expect(throws: WebhookTargetRefusal.self) {
            try await policy.pin(try policy.check("http://app.localhost/x"), resolver: resolver)
        }
    }

    @Test func aLiteralIsNeverLookedUp() async throws {
        let resolver = WebhookResolver { host in
            Issue.record("looked up \(host)")
            return []
        }
        let policy = WebhookTargetPolicy(allowHTTP: true)
        #expect(try await policy.pin(try policy.check("http://127.0.0.1:9/x"), resolver: resolver) == address("127.0.0.1"))
    }

    @Test func aNameThatDoesNotResolveIsRefused() async throws {
        let policy = WebhookTargetPolicy()
        await #expect(throws: WebhookTargetRefusal.self) {
            try await policy.pin(try policy.check("https://nowhere.example.com/x"), resolver: .fixed([:]))
        }
    }
}
