import Foundation
import _CryptoExtras

/// Signs with the `private_key` of a service-account JSON key (`GOOGLE_APPLICATION_CREDENTIALS`),
/// here, with swift-crypto: no network call per URL.
public struct ServiceAccountKeySigner: BlobSigner {
    private struct KeyFile: Decodable {
        let type: String?
        let client_email: String?
        let private_key: String?
    }

    public let email: String
    private let key: _RSA.Signing.PrivateKey

    /// Reads and checks the key file; errors name the file, never its contents.
    public init(keyFile path: String) throws(SignedURLError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .keyFileUnreadable(path: path) }
        let file: KeyFile
        do {
            file = try JSONDecoder().decode(KeyFile.self, from: data)
        } catch {
            throw .notAServiceAccountKey(path: path, reason: "not a JSON key file")
        }
        if let type = file.type, type != "service_account" {
            throw .notAServiceAccountKey(path: path, reason: "it holds '\(type)' credentials")
        }
        guard let email = file.client_email, !email.isEmpty else {
            throw .notAServiceAccountKey(path: path, reason: "client_email is missing")
        }
        guard let pem = file.private_key, !pem.isEmpty else { throw .keyFileWithoutPrivateKey(path: path) }
        try self.init(email: email, privateKeyPEM: pem, source: path)
    }

    /// A key already in hand; `source` names where it came from in errors.
    public init(email: String, privateKeyPEM pem: String, source: String = "the key given") throws(SignedURLError) {
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw .malformedPrivateKey(path: source)
        }
        self.email = email
    }

    public var mode: String { "service-account key (\(email))" }

    public func serviceAccountEmail() async throws(SignedURLError) -> String { email }

    public func sign(_ bytes: [UInt8]) async throws(SignedURLError) -> [UInt8] {
        do {
            let signature = try key.signature(for: bytes, padding: .insecurePKCS1v1_5)
            return signature.withUnsafeBytes { Array($0) }
        } catch {
            throw .signingFailed("RSA-SHA256 with the key of \(email)")
        }
    }
}
