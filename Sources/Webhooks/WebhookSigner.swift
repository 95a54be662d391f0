import Crypto
import Foundation

/// Signs deliveries the Standard Webhooks way: `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{webhook-id}.{webhook-timestamp}.{body}">`. A `whsec_<base64>` secret is the base64-decoded
/// key, as Standard Webhooks libraries read it; any other secret is used as its UTF-8 bytes (a
/// receiver's library then needs `whsec_` + the base64 of those bytes).
public struct WebhookSigner: Sendable {
    /// The key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`; one is made per signature).
    let key: [UInt8]

    /// Nil for a `whsec_` secret whose rest is not base64 (configuration refuses it before).
    public init?(secret: String) {
        if secret.hasPrefix("whsec_") {
            guard let bytes = Data(base64Encoded: String(secret.dropFirst(6))), !bytes.isEmpty else { return nil }
            key = Array(bytes)
        } else {
            guard !secret.isEmpty else { return nil }
            key = Array(secret.utf8)
        }
    }

    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(code).base64EncodedString()
    }
}
