import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization
import Testing
import TestSupport
import _CryptoExtras

@Suite struct GoogleAuthTests {
    /// A token endpoint that accepts only JWTs signed by `publicKey` with the right claims.
    final class TokenEndpointFixture: Sendable {
        let server: TestHTTPServer

        init(publicKey: _RSA.Signing.PublicKey, email: String, expiresIn: Int = 3600, delay: Duration = .zero) throws {
            let issued = Atomic<Int>(0)
            server = try TestHTTPServer { request in
                let form = String(decoding: request.body, as: UTF8.self)
                guard form.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="),
                    let assertion = form.split(separator: "=").last
                else { return .json(400, #"{"error":"unsupported_grant_type"}"#) }
                let parts = assertion.split(separator: ".").map(String.init)
                guard parts.count == 3, let signature = decodeBase64URL(parts[2]),
                    publicKey.isValidSignature(
                        _RSA.Signing.RSASignature(rawRepresentation: signature),
                        for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5),
                    let claimsData = decodeBase64URL(parts[1]),
                    let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any],
                    claims["iss"] as? String == email,
                    claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform",
                    (claims["aud"] as? String)?.hasSuffix("/token") == true,
                    let iat = claims["iat"] as? Int, let exp = claims["exp"] as? Int, exp - iat == 3600
                else { return .json(400, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#) }
                let number = issued.wrappingAdd(1, ordering: .relaxed).newValue
                return .respond(status: 200, headers: ["Content-Type": "application/json"],
                                body: Array(#"{"access_token":"token-\#(number)","expires_in":\#(expiresIn),"token_type":"Bearer"}"#.utf8),
                                delay: delay)
            }
        }
    }

    func keyFile(_ key: _RSA.Signing.PrivateKey, email: String, tokenURI: String) throws -> String {
        let json: [String: String] = [
            "type": "service_account", "client_email": email, "private_key": key.pkcs8PEMRepresentation,
            "private_key_id": "key-1", "token_uri": tokenURI,
        ]
        let path = NSTemporaryDirectory() + "sa-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aServiceAccountKeyIsExchangedForATokenWithAVerifiedSignature() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let email = "decomposer@poster-123.iam.gserviceaccount.com"
        let endpoint = try TokenEndpointFixture(publicKey: key.publicKey, email: email)
        defer { endpoint.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let path = try keyFile(key, email: email, tokenURI: endpoint.server.baseURL + "/token")
        let provider = try ServiceAccountTokenProvider(keyFile: path, http: http)
        #expect(provider.mode == "service account \(email)")
        #expect(try await provider.accessToken(forceRefresh: false) == "token-1")
        #expect(try await provider.accessToken(forceRefresh: false) == "token-1", "cached")
        #expect(endpoint.server.requestCount == 1)
        #expect(try await provider.accessToken(forceRefresh: true) == "token-2", "a 401 forces a new token")
    }

    @Test func aKeyThatDoesNotMatchIsRefusedWithAReadableErrorAndNoSecrets() async throws {
        let trusted = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let endpoint = try TokenEndpointFixture(publicKey: trusted.publicKey, email: "a@b")
        defer { endpoint.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let provider = try ServiceAccountTokenProvider(
            keyFile: try keyFile(stranger, email: "a@b", tokenURI: endpoint.server.baseURL + "/token"), http: http)
        await #expect {
            _ = try await provider.accessToken(forceRefresh: false)
        } throws: { error in
            guard let error = error as? AuthError else { return false }
            return !error.isRetryable && error.message.contains("invalid_grant") && error.message.contains("HTTP 400")
                && !error.message.contains("PRIVATE KEY")
        }
    }

    @Test func concurrentCallersShareOneRefreshAndTokensAreRefreshedBeforeExpiry() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        // Expires in 200 s: inside the 5-minute margin, so every call after the first refreshes.
        let endpoint = try TokenEndpointFixture(publicKey: key.publicKey, email: "a@b", expiresIn: 200, delay: .milliseconds(200))
        defer { endpoint.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let provider = try ServiceAccountTokenProvider(
            keyFile: try keyFile(key, email: "a@b", tokenURI: endpoint.server.baseURL + "/token"), http: http)
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<10 { group.addTask { try await provider.accessToken(forceRefresh: false) } }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(tokens == ["token-1"])
        #expect(endpoint.server.requestCount == 1, "ten callers, one token request")
        #expect(try await provider.accessToken(forceRefresh: false) == "token-2", "near expiry, refreshed early")
    }

    @Test func theMetadataServerIsAskedWithItsFlavorHeader() async throws {
        let server = try TestHTTPServer { request in
            guard request.headers["metadata-flavor"] == "Google",
                request.path == "/computeMetadata/v1/instance/service-accounts/default/token"
            else { return .respond(status: 403) }
            return .json(200, #"{"access_token":"from-metadata","expires_in":3599,"token_type":"Bearer"}"#)
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let provider = try CredentialDiscovery.provider(
            environment: ["GCE_METADATA_HOST": "127.0.0.1:\(server.port)"], endpointHost: "us-central1-aiplatform.googleapis.com",
            http: http)
        #expect(provider.mode.hasPrefix("metadata server"))
        #expect(try await provider.accessToken(forceRefresh: false) == "from-metadata")
    }

    @Test func noMetadataServerMeansAnErrorThatSaysHowToConfigureCredentials() async throws {
        let port = try freeLoopbackPort()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let provider = MetadataServerTokenProvider(host: "127.0.0.1:\(port)", http: http)
        await #expect {
            _ = try await provider.accessToken(forceRefresh: false)
        } throws: { error in
            (error as? AuthError)?.message.contains("GOOGLE_APPLICATION_CREDENTIALS") == true
        }
    }

    @Test func discoveryFollowsTheApplicationDefaultCredentialsOrder() throws {
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let remote = "us-central1-aiplatform.googleapis.com"
        #expect(try CredentialDiscovery.provider(environment: ["VERTEX_AI_ACCESS_TOKEN": "t"], endpointHost: remote, http: http)
            is StaticTokenProvider)
        #expect(try CredentialDiscovery.provider(environment: [:], endpointHost: "127.0.0.1", http: http) is NoAuthentication)
        #expect(try CredentialDiscovery.provider(environment: [:], endpointHost: "localhost", http: http) is NoAuthentication)
        #expect(try CredentialDiscovery.provider(environment: [:], endpointHost: remote, http: http) is MetadataServerTokenProvider)
        #expect(throws: AuthError.self) {
            try CredentialDiscovery.provider(
                environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"], endpointHost: remote, http: http)
        }
    }
}

func decodeBase64URL(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}
