import Foundation
import Testing
import Webhooks

/// Signatures a receiver's Standard Webhooks library accepts.
@Suite struct WebhookSignerTests {
    /// The published Standard Webhooks (and Svix) test vector.
    @Test func theStandardWebhooksTestVectorReproduces() throws {
        let signer = try #require(WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    /// A plain secret is its UTF-8 bytes: the same as `whsec_` + their base64.
    @Test func aPlainSecretIsItsUTF8Bytes() throws {
        let plain = try #require(WebhookSigner(secret: "correct horse"))
        let prefixed = try #require(WebhookSigner(secret: "whsec_" + Array("correct horse".utf8).base64))
        let body = Array("{}".utf8)
        #expect(plain.signature(id: "msg_1", timestamp: 1, body: body) == prefixed.signature(id: "msg_1", timestamp: 1, body: body))
        #expect(plain.signature(id: "msg_1", timestamp: 1, body: body) != plain.signature(id: "msg_1", timestamp: 2, body: body))
    }

    @Test func anUnreadableSecretIsRefused() {
        #expect(WebhookSigner(secret: "whsec_!!!") == nil)
        #expect(WebhookSigner(secret: "") == nil)
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
