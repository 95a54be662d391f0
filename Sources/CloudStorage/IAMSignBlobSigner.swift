import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization

/// Signs through the IAM Credentials API's `signBlob`, for credentials without a private key
/// (the metadata server's account on GCE, Cloud Run, GKE): Google signs with a key of the
/// account that never leaves it. The caller's account needs `iam.serviceAccounts.signBlob` on
/// the signing account (`roles/iam.serviceAccountTokenCreator`, on itself when they are one).
public final class IAMSignBlobSigner: BlobSigner {
    public static let defaultBaseURL = "https://iamcredentials.googleapis.com"
    public static let defaultMetadataHost = "metadata.google.internal"

    private let baseURL: String
    private let metadataHost: String
    private let tokens: any AccessTokenProvider
    private let http: CurlHTTPClient
    /// Given, or learnt once from the metadata server (it does not change while the process runs).
    private let knownEmail: Mutex<String?>

    /// `serviceAccount` nil: the metadata server's default account. `baseURL` points tests at a
    /// loopback server; `tokens` authorizes the IAM call.
    public init(
        serviceAccount: String? = nil, metadataHost: String = defaultMetadataHost, baseURL: String = defaultBaseURL,
        tokens: any AccessTokenProvider, http: CurlHTTPClient
    ) {
        knownEmail = Mutex(serviceAccount.flatMap { $0.isEmpty ? nil : $0 })
        self.metadataHost = metadataHost
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tokens = tokens
        self.http = http
    }

    public var mode: String {
        let account = knownEmail.withLock { $0 } ?? "the metadata server's account"
        return "IAM signBlob as \(account) (\(baseURL))"
    }

    public func serviceAccountEmail() async throws(SignedURLError) -> String {
        if let email = knownEmail.withLock({ $0 }) { return email }
        let email = try await fetchEmailFromMetadataServer()
        knownEmail.withLock { $0 = email }
        return email
    }

    public func sign(_ bytes: [UInt8]) async throws(SignedURLError) -> [UInt8] {
        let email = try await serviceAccountEmail()
        let body = try JSONSerialization.dataOrNil(["payload": Data(bytes).base64EncodedString()])
        let url = "\(baseURL)/v1/projects/-/serviceAccounts/\(Self.pathSegment(email)):signBlob"
        var response = try await post(url, body: body, forceRefresh: false)
        if response.status == 401 { response = try await post(url, body: body, forceRefresh: true) }
        switch response.status {
        case 200: return try Self.signature(in: response.body)
        case 429, 500...599:
            throw .signBlobUnavailable("HTTP \(response.status)\(Self.googleMessage(response.body).map { ": \($0)" } ?? "")")
        default:
            throw .signBlobRefused(
                status: response.status, serviceAccount: email, message: Self.googleMessage(response.body) ?? "")
        }
    }

    private func post(_ url: String, body: [UInt8], forceRefresh: Bool) async throws(SignedURLError) -> HTTPResponse {
        let token: String?
        do {
            token = try await tokens.accessToken(forceRefresh: forceRefresh)
        } catch {
            throw .noCredentials(error.message, retryable: error.isRetryable)
        }
        guard let token else { throw .noCredentials("\(tokens.mode) gives no access token", retryable: false) }
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: body, timeout: .seconds(30), connectTimeout: .seconds(10), maxResponseBytes: 1 << 20)
        do {
            return try await http.send(request)
        } catch {
            throw .signBlobUnavailable("\(baseURL) \(error)")
        }
    }

    private func fetchEmailFromMetadataServer() async throws(SignedURLError) -> String {
        let request = HTTPRequest(
            url: "http://\(metadataHost)/computeMetadata/v1/instance/service-accounts/default/email",
            headers: [("Metadata-Flavor", "Google")], timeout: .seconds(10), connectTimeout: .seconds(3),
            maxResponseBytes: 64 << 10)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw .serviceAccountUnknown(
                "metadata server \(metadataHost) unreachable (\(error)); off Google Cloud, set GOOGLE_APPLICATION_CREDENTIALS to a service-account key",
                retryable: true)
        }
        let email = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard response.status == 200, email.contains("@"), !email.contains(where: \.isWhitespace) else {
            throw .serviceAccountUnknown(
                "metadata server \(metadataHost) answered HTTP \(response.status) without an account email",
                retryable: response.status >= 500)
        }
        return email
    }

    private struct SignBlobResponse: Decodable {
        let keyId: String?
        let signedBlob: String
    }

    private static func signature(in body: [UInt8]) throws(SignedURLError) -> [UInt8] {
        guard let answer = try? JSONDecoder().decode(SignBlobResponse.self, from: Data(body)) else {
            throw .malformedSignBlobResponse("no signedBlob in the JSON body")
        }
        guard let bytes = Data(base64Encoded: answer.signedBlob), !bytes.isEmpty else {
            throw .malformedSignBlobResponse("signedBlob is not base64")
        }
        return Array(bytes)
    }

    /// Google's `{"error":{"code","message","status"}}`, as "STATUS: message"; safe to show.
    private static func googleMessage(_ body: [UInt8]) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = json["error"] as? [String: Any]
        else { return nil }
        let parts = [error["status"] as? String, error["message"] as? String].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    /// The account email in the URL path: `@` stays (it is allowed in a path segment), anything
    /// that could end or escape the segment is encoded.
    private static func pathSegment(_ email: String) -> String {
        SigningPercentEncoding.encode(email, keeping: [UInt8(ascii: "@")])
    }
}

extension JSONSerialization {
    fileprivate static func dataOrNil(_ object: [String: String]) throws(SignedURLError) -> [UInt8] {
        guard let data = try? data(withJSONObject: object) else { throw .signingFailed("could not encode the signBlob request") }
        return Array(data)
    }
}
