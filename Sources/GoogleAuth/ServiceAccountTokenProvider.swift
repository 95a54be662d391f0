import CurlHTTP
import Foundation
import _CryptoExtras

/// `GOOGLE_APPLICATION_CREDENTIALS` pointing at a service-account key: a
/// signed RS256 JWT exchanged for an access token at the key's `token_uri`
/// (RFC 7523), as Google's client libraries do.
public final class ServiceAccountTokenProvider: AccessTokenProvider {
    public static let scope = "https://www.googleapis.com/auth/cloud-platform"

    struct Key: Decodable {
        let type: String?
        let client_email: String
        let private_key: String
        let private_key_id: String?
        let token_uri: String?
    }

    public let mode: String
    private let cache: TokenCache

    /// Reads and checks the key file; errors name the file, never its contents. `scope` is what the
    /// token may do (Vertex AI: `cloud-platform`; Cloud Storage: `devstorage.read_write`).
    public init(
        keyFile path: String, http: CurlHTTPClient, scope: String = ServiceAccountTokenProvider.scope
    ) throws(AuthError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthError("cannot read GOOGLE_APPLICATION_CREDENTIALS file \(path)", retryable: false)
        }
        guard let key = try? JSONDecoder().decode(Key.self, from: data) else {
            throw AuthError("\(path) is not a service-account key (client_email and private_key are required)", retryable: false)
        }
        if let type = key.type, type != "service_account" {
            throw AuthError("\(path) holds '\(type)' credentials; only service_account keys are supported", retryable: false)
        }
        let signer: _RSA.Signing.PrivateKey
        do {
            signer = try _RSA.Signing.PrivateKey(pemRepresentation: key.private_key)
        } catch {
            throw AuthError("the private_key in \(path) is not an RSA key in PEM form", retryable: false)
        }
        let tokenURI = key.token_uri ?? "https://oauth2.googleapis.com/token"
        let email = key.client_email
        let keyID = key.private_key_id
        mode = "service account \(email)"
        cache = TokenCache {
            () async throws(AuthError) -> OAuthToken in
            let assertion = try JWTAssertion.sign(
                issuer: email, scope: scope, audience: tokenURI, keyID: keyID, now: Date(), with: signer)
            let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
            let request = HTTPRequest(
                method: "POST", url: tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(form.utf8), timeout: .seconds(30), maxResponseBytes: 1 << 20)
            return try await TokenEndpoint.fetch(request, from: "token endpoint \(tokenURI)", http: http)
        }
    }

    public func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? {
        try await cache.value(forceRefresh: forceRefresh)
    }
}

/// The signed JWT a service account presents to the token endpoint.
enum JWTAssertion {
    static func sign(
        issuer: String, scope: String, audience: String, keyID: String?, now: Date, with key: _RSA.Signing.PrivateKey
    ) throws(AuthError) -> String {
        var header = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let issuedAt = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = ["iss": issuer, "scope": scope, "aud": audience, "iat": issuedAt, "exp": issuedAt + 3600]
        guard let headerJSON = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]),
            let claimsJSON = try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        else { throw AuthError("could not encode the JWT", retryable: false) }
        let signingInput = base64URL(headerJSON) + "." + base64URL(claimsJSON)
        do {
            let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return signingInput + "." + base64URL(signature.rawRepresentation)
        } catch {
            throw AuthError("signing the JWT failed", retryable: false)
        }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// One token request, with errors worded for an operator.
enum TokenEndpoint {
    static func fetch(_ request: HTTPRequest, from source: String, http: CurlHTTPClient) async throws(AuthError) -> OAuthToken {
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw AuthError("\(source) unreachable: \(error)", retryable: true)
        }
        guard response.status == 200 else {
            // OAuth errors are {"error":"invalid_grant","error_description":"…"}: safe to show.
            let detail = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
                .flatMap { json in
                    [json["error"] as? String, json["error_description"] as? String].compactMap { $0 }.joined(separator: ": ")
                } ?? ""
            throw AuthError(
                "\(source) refused the token request (HTTP \(response.status)\(detail.isEmpty ? "" : ", \(detail)"))",
                retryable: response.status >= 500 || response.status == 429)
        }
        return try OAuthToken.decode(response.body, receivedAt: .now)
    }
}
