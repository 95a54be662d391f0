import Testing
import Webhooks

/// The submit-time rules of `WebhookTargetPolicy.check`: pure, nothing resolved, nothing connected.
@Suite struct WebhookTargetPolicyTests {
    let production = WebhookTargetPolicy()
    let development = WebhookTargetPolicy(allowHTTP: true)

    func refusal(_ url: String, _ policy: WebhookTargetPolicy = WebhookTargetPolicy()) -> String? {
        do {
            _ = try policy.check(url)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aPublicHTTPSReceiverIsAccepted() throws {
        let target = try production.check("https://Hooks.Example.com./decomposer?token=abc")
        #expect(target.host == "hooks.example.com" && target.port == 443 && target.scheme == "https" && target.literal == nil)
        #expect(try production.check("https://93.184.216.34:8443/x").literal?.description == "93.184.216.34")
        #expect(try production.check("https://[2606:2800:220:1::1]/x").port == 443)
    }

    @Test(arguments: [
        ("http://example.com/hook", "https://"), ("file:///etc/passwd", "https://"), ("ftp://example.com/", "https://"),
        ("gopher://example.com/", "https://"), ("javascript:alert(1)", "https://"), ("/relative/path", "absolute"),
        ("not a url", "absolute"), ("https:///nohost", "host"),
    ])
    func schemesOtherThanHTTPSAreRefused(url: String, says: String) {
        let why = refusal(url)
        #expect(why?.contains(says) == true, "\(url): \(why ?? "accepted")")
    }

    @Test(arguments: [
        "https://10.0.0.5/", "https://172.16.0.1/", "https://172.31.255.255/", "https://192.168.1.1/", "https://100.64.0.1/",
        "https://[fc00::1]/", "https://[fd12:3456::1]/",
    ])
    func privateAddressesAreRefused(url: String) {
        #expect(refusal(url)?.contains("private") == true || refusal(url)?.contains("carrier-grade") == true, "\(url)")
    }

    @Test(arguments: [
        "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/", "https://metadata.google.internal/computeMetadata/v1/",
        "https://METADATA.GOOGLE.INTERNAL./", "https://metadata/", "https://[::ffff:169.254.169.254]/",
    ])
    func linkLocalAndMetadataTargetsAreRefused(url: String) {
        let why = refusal(url) ?? "accepted"
        #expect(why.contains("link-local") || why.contains("metadata"), "\(url): \(why)")
    }

    @Test(arguments: [
        "https://127.0.0.1/", "https://127.1.2.3/", "https://[::1]/", "https://localhost/", "https://api.localhost/",
        "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/",
    ])
    func loopbackIsRefusedUnlessTheDevelopmentCaseAllowsIt(url: String) throws {
        #expect(refusal(url)?.contains("loopback") == true, "\(url)")
        _ = try development.check(url)
    }

    @Test(arguments: [
        "https://0.0.0.0/", "https://[::]/", "https://224.0.0.1/", "https://[ff02::1]/", "https://255.255.255.255/",
        "https://[::ffff:10.0.0.1]/", "https://[::10.0.0.1]/", "https://[64:ff9b::a00:1]/",
    ])
    func unspecifiedMulticastReservedAndIPv4InIPv6FormsAreRefused(url: String) {
        #expect(refusal(url) != nil, "\(url) was accepted")
    }

    /// Numbers a resolver reads as IPv4 in other notations (2130706433 = 127.0.0.1).
    @Test(arguments: ["https://2130706433/", "https://0x7f000001/", "https://0177.0.0.1/", "https://127.1/", "https://10.1/"])
    func nonCanonicalNumericHostsAreRefused(url: String) {
        #expect(refusal(url, development)?.contains("canonical") == true, "\(url): \(refusal(url, development) ?? "accepted")")
    }

    @Test(arguments: [
        "https://user:pass@example.com/", "https://user@example.com/", "https://example.com@127.0.0.1/",
        "https://:@example.com/",
    ])
    func userInfoIsRefused(url: String) {
        #expect(refusal(url)?.contains("user name or password") == true, "\(url): \(refusal(url) ?? "accepted")")
    }

    @Test func plainHTTPGoesOnlyToLoopbackAndOnlyInTheDevelopmentCase() throws {
        #expect(refusal("http://127.0.0.1:8080/hook")?.contains("https://") == true)
        _ = try development.check("http://127.0.0.1:8080/hook")
        _ = try development.check("http://localhost:8080/hook")
        #expect(refusal("http://example.com/hook", development)?.contains("only go to loopback") == true)
        #expect(refusal("http://10.0.0.1/hook", development) != nil)
    }

    @Test func allowedHostsAreTheOnlyHostsWhenSet() throws {
        let policy = WebhookTargetPolicy(allowHTTP: true, allowedHosts: ["127.0.0.1", "Hooks.Example.com"])
        _ = try policy.check("http://127.0.0.1:9/x")
        _ = try policy.check("https://hooks.example.com/x")
        #expect(refusal("https://other.example.com/x", policy)?.contains("WEBHOOK_ALLOWED_HOSTS") == true)
        #expect(refusal("http://localhost:9/x", policy)?.contains("WEBHOOK_ALLOWED_HOSTS") == true)
        // An allowed host still obeys the address rules.
        #expect(refusal("https://10.0.0.1/", WebhookTargetPolicy(allowedHosts: ["10.0.0.1"]))?.contains("private") == true)
    }

    @Test func percentEncodedHostsZoneIDsAndOverlongURLsAreRefused() {
        #expect(refusal("https://%31%32%37.0.0.1/") != nil)
        #expect(refusal("https://[fe80::1%25eth0]/") != nil)
        #expect(refusal("https://example.com/" + String(repeating: "a", count: 3000))?.contains("longer") == true)
    }
}
