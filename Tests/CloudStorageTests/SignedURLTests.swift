import CloudStorage
import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization
import Testing
import TestSupport

@Suite struct SignedURLTests {
    /// 2024-03-05T07:08:09Z, the signing time of the known answers (plus a fraction, which is dropped).
    static let signingTime = Date(timeIntervalSince1970: 1_709_622_489.75)
    static let bucket = "poster-layers"
    /// A space, non-ASCII letters and several segments: what the per-segment encoding must get right.
    static let object = "results/job 42/café ☕/layer_0.png"

    // MARK: Known answer, computed independently

    @Test(arguments: ["http://127.0.0.1:4443", "https://storage.googleapis.com"])
    func theURLIsExactlyWhatAnIndependentImplementationOfGooglesAlgorithmGives(endpoint: String) async throws {
        let keyFile = try writeSigningKeyFile()
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let signer = try V4URLSigner(signer: try ServiceAccountKeySigner(keyFile: keyFile), endpoint: endpoint)
        let signed = try await signer.signedURL(bucket: Self.bucket, object: Self.object, now: Self.signingTime)
        let expected = try await referenceSignedURL(
            keyFile: keyFile, endpoint: endpoint, bucket: Self.bucket, object: Self.object,
            timestamp: "2024-03-05T07:08:09Z", seconds: 900)
        #expect(signed.url == expected)
        #expect(signed.expires == Date(timeIntervalSince1970: 1_709_622_489 + 900))
        #expect(
            signed.url.hasPrefix(
                "\(endpoint)/poster-layers/results/job%2042/caf%C3%A9%20%E2%98%95/layer_0.png?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                    + "&X-Goog-Credential=layers-signer%40poster-test.iam.gserviceaccount.com%2F20240305%2Fauto%2Fstorage%2Fgoog4_request"
                    + "&X-Goog-Date=20240305T070809Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature="))
        let signature = try #require(signed.url.split(separator: "=").last)
        #expect(signature.count == 512, "a 2048-bit RSA signature in hex")
        #expect(signature.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    // MARK: Google's published vectors

    /// Inputs and expected values of Google's V4 signing conformance vectors for Cloud Storage
    /// (googleapis/conformance-tests, storage/v1/v4_signatures.json), the GET, path-style,
    /// host-only ones. Their signing key is not ours, so the signature itself is checked by the
    /// known-answer test above; here the canonical request, the string to sign and the URL
    /// around the published signature must match exactly.
    struct GoogleVector: Sendable, CustomTestStringConvertible {
        let description: String
        let bucket: String
        let object: String
        let seconds: Int
        let time: TimeInterval
        let path: String
        let day: String
        let timestamp: String
        let hashedCanonicalRequest: String
        var testDescription: String { description }
    }

    static let googleAccount = "test-iam-credentials@dummy-project-id.iam.gserviceaccount.com"
    static let googleVectors: [GoogleVector] = [
        GoogleVector(
            description: "Simple GET", bucket: "test-bucket", object: "test-object", seconds: 10, time: 1_549_011_600,
            path: "/test-bucket/test-object", day: "20190201", timestamp: "20190201T090000Z",
            hashedCanonicalRequest: "00e2fb794ea93d7adb703edaebdd509821fcc7d4f1a79ac5c8d2b394df109320"),
        GoogleVector(
            description: "Vary expiration and timestamp", bucket: "test-bucket", object: "test-object", seconds: 20,
            time: 1_551_430_800, path: "/test-bucket/test-object", day: "20190301", timestamp: "20190301T090000Z",
            hashedCanonicalRequest: "779f19fdb6fd381390e2d5af04947cf21750277ee3c20e0c97b7e46a1dff8907"),
        GoogleVector(
            description: "Vary bucket and object", bucket: "test-bucket2", object: "test-object2", seconds: 10,
            time: 1_549_011_600, path: "/test-bucket2/test-object2", day: "20190201", timestamp: "20190201T090000Z",
            hashedCanonicalRequest: "a139afbf35ac30e9864f63197f79609731ab1b0ca166e2a456dba156fcd3f9ce"),
        GoogleVector(
            description: "Forward Slashes should not be stripped", bucket: "test-bucket",
            object: "/path/with/slashes/under_score/amper&sand/file.ext", seconds: 10, time: 1_549_011_600,
            path: "/test-bucket//path/with/slashes/under_score/amper%26sand/file.ext", day: "20190201",
            timestamp: "20190201T090000Z",
            hashedCanonicalRequest: "63c601ecd6ccfec84f1113fc906609cbdf7651395f4300cecd96ddd2c35164f8"),
    ]

    @Test(arguments: googleVectors)
    func googlesPublishedCanonicalRequestAndStringToSign(_ vector: GoogleVector) throws {
        let request = try V4SigningRequest(
            endpoint: try SigningEndpoint("https://storage.googleapis.com"), bucket: vector.bucket,
            object: vector.object, serviceAccount: Self.googleAccount,
            date: Date(timeIntervalSince1970: vector.time), lifetimeSeconds: vector.seconds)
        let query =
            "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=test-iam-credentials%40dummy-project-id.iam.gserviceaccount.com"
            + "%2F\(vector.day)%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=\(vector.timestamp)"
            + "&X-Goog-Expires=\(vector.seconds)&X-Goog-SignedHeaders=host"
        #expect(
            request.canonicalRequest
                == "GET\n\(vector.path)\n\(query)\nhost:storage.googleapis.com\n\nhost\nUNSIGNED-PAYLOAD")
        #expect(
            request.stringToSign
                == "GOOG4-RSA-SHA256\n\(vector.timestamp)\n\(vector.day)/auto/storage/goog4_request\n\(vector.hashedCanonicalRequest)")
    }

    @Test func googlesPublishedURLIsRebuiltAroundItsSignature() throws {
        let signature =
            "95e6a13d43a1d1962e667f17397f2b80ac9bdd1669210d5e08e0135df9dff4e56113485dbe429ca2266487b9d1796ebdee2d7cf682a6ef3b"
            + "b9fbb4c351686fba90d7b621cf1c4eb1fdf126460dd25fa0837dfdde0a9fd98662ce60844c458448fb2b352c203d9969cb74efa4bdb74228"
            + "7744a4f2308afa4af0e0773f55e32e92973619249214b97283b2daa14195244444e33f938138d1e5f561088ce8011f4986dda33a55641259"
            + "4db7c12fc40e1ff3f1bedeb7a42f5bcda0b9567f17f65855f65071fabb88ea12371877f3f77f10e1466fff6ff6973b74a933322ff0949ce3"
            + "57e20abe96c3dd5cfab42c9c83e740a4d32b9e11e146f0eb3404d2e975896f74"
        let request = try V4SigningRequest(
            endpoint: try SigningEndpoint("https://storage.googleapis.com"), bucket: "test-bucket",
            object: "test-object", serviceAccount: Self.googleAccount, date: Date(timeIntervalSince1970: 1_549_011_600),
            lifetimeSeconds: 10)
        #expect(
            request.url(signature: try #require(Self.bytes(hex: signature)))
                == "https://storage.googleapis.com/test-bucket/test-object?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                + "&X-Goog-Credential=test-iam-credentials%40dummy-project-id.iam.gserviceaccount.com%2F20190201%2Fauto%2Fstorage%2Fgoog4_request"
                + "&X-Goog-Date=20190201T090000Z&X-Goog-Expires=10&X-Goog-SignedHeaders=host&X-Goog-Signature=\(signature)")
    }

    // MARK: IAM signBlob (metadata-server credentials)

    /// Plays the metadata server (account email, token) and the IAM Credentials API on loopback.
    /// signBlob answers `signature` only for the expected payload, with the metadata token.
    final class IAMFixture: Sendable {
        let server: TestHTTPServer
        private let calls = CallCounter()

        init(expectedPayload: String, signature: [UInt8], signBlobStatus: Int = 200) throws {
            let calls = self.calls
            server = try TestHTTPServer { request in
                switch request.path {
                case "/computeMetadata/v1/instance/service-accounts/default/email":
                    guard request.headers["metadata-flavor"] == "Google" else { return .respond(status: 403) }
                    return .respond(status: 200, body: Array(signingTestAccount.utf8))
                case "/computeMetadata/v1/instance/service-accounts/default/token":
                    guard request.headers["metadata-flavor"] == "Google" else { return .respond(status: 403) }
                    return .json(200, #"{"access_token":"metadata-token","expires_in":3599,"token_type":"Bearer"}"#)
                case "/v1/projects/-/serviceAccounts/\(signingTestAccount):signBlob":
                    calls.count.add(1, ordering: .relaxed)
                    guard request.method == "POST", request.headers["authorization"] == "Bearer metadata-token"
                    else { return .json(401, #"{"error":{"code":401,"message":"no token","status":"UNAUTHENTICATED"}}"#) }
                    if signBlobStatus == 403 {
                        return .json(
                            403,
                            #"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist).","status":"PERMISSION_DENIED"}}"#
                        )
                    }
                    if signBlobStatus != 200 { return .json(signBlobStatus, #"{"error":{"code":503,"status":"UNAVAILABLE"}}"#) }
                    guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String],
                        let payload = body["payload"].flatMap({ Data(base64Encoded: $0) }),
                        String(decoding: payload, as: UTF8.self) == expectedPayload
                    else { return .json(400, #"{"error":{"code":400,"message":"unexpected payload","status":"INVALID_ARGUMENT"}}"#) }
                    return .json(
                        200, #"{"keyId":"test-only","signedBlob":"\#(Data(signature).base64EncodedString())"}"#)
                default:
                    return .respond(status: 404)
                }
            }
        }

        var signBlobCalls: Int { calls.count.load(ordering: .relaxed) }

        var metadataHost: String { "127.0.0.1:\(server.port)" }

        /// `tokens` nil: the fixture's own metadata server's token.
        func signer(http: CurlHTTPClient, tokens: (any AccessTokenProvider)? = nil) -> any BlobSigner {
            IAMSignBlobSigner(
                metadataHost: metadataHost, baseURL: server.baseURL,
                tokens: tokens ?? MetadataServerTokenProvider(host: metadataHost, http: http), http: http)
        }
    }

    /// What the IAM fixture must be asked to sign, and the signature the test key gives it.
    func expectedSigning(endpoint: String) async throws -> (stringToSign: String, signature: [UInt8]) {
        let request = try V4SigningRequest(
            endpoint: try SigningEndpoint(endpoint), bucket: Self.bucket, object: Self.object,
            serviceAccount: signingTestAccount, date: Self.signingTime, lifetimeSeconds: 900)
        let keySigner = try ServiceAccountKeySigner(email: signingTestAccount, privateKeyPEM: signingTestKeyPEM)
        return (request.stringToSign, try await keySigner.sign(Array(request.stringToSign.utf8)))
    }

    @Test func signBlobSignsTheStringToSignAsTheMetadataServersAccount() async throws {
        let endpoint = "http://127.0.0.1:4443"
        let expected = try await expectedSigning(endpoint: endpoint)
        let fixture = try IAMFixture(expectedPayload: expected.stringToSign, signature: expected.signature)
        defer { fixture.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let signer = try V4URLSigner(signer: fixture.signer(http: http), endpoint: endpoint)
        let signed = try await signer.signedURL(bucket: Self.bucket, object: Self.object, now: Self.signingTime)
        // RSA PKCS#1 v1.5 is deterministic: the same key through IAM gives the very URL the key gives here,
        // which the known-answer test ties to the independent implementation.
        let keyFile = try writeSigningKeyFile()
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let reference = try await referenceSignedURL(
            keyFile: keyFile, endpoint: endpoint, bucket: Self.bucket, object: Self.object,
            timestamp: "2024-03-05T07:08:09Z", seconds: 900)
        #expect(signed.url == reference)
        #expect(signed.url.hasSuffix("&X-Goog-Signature=" + expected.signature.map { hex($0) }.joined()))
        #expect(fixture.signBlobCalls == 1)
        #expect(signer.mode.contains(signingTestAccount), "the email learnt from the metadata server")
    }

    /// A cached token IAM no longer accepts (401) is refreshed once and the call made again.
    struct StaleUntilRefreshed: AccessTokenProvider {
        let refreshes = CallCounter()
        func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? {
            guard forceRefresh else { return "stale-token" }
            refreshes.count.add(1, ordering: .relaxed)
            return "metadata-token"
        }
        var mode: String { "test tokens" }
    }

    @Test func a401FromIAMRefreshesTheTokenOnceAndSigns() async throws {
        let endpoint = "http://127.0.0.1:4443"
        let expected = try await expectedSigning(endpoint: endpoint)
        let fixture = try IAMFixture(expectedPayload: expected.stringToSign, signature: expected.signature)
        defer { fixture.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let tokens = StaleUntilRefreshed()
        let signer = try V4URLSigner(signer: fixture.signer(http: http, tokens: tokens), endpoint: endpoint)
        let signed = try await signer.signedURL(bucket: Self.bucket, object: Self.object, now: Self.signingTime)
        #expect(signed.url.hasSuffix("&X-Goog-Signature=" + expected.signature.map { hex($0) }.joined()))
        #expect(tokens.refreshes.count.load(ordering: .relaxed) == 1)
        #expect(fixture.signBlobCalls == 2)
    }

    /// What signing gives when the IAM API answers `status`.
    private func signBlobError(status: Int) async throws -> SignedURLError? {
        let fixture = try IAMFixture(expectedPayload: "", signature: [], signBlobStatus: status)
        defer { fixture.server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let signer = try V4URLSigner(signer: fixture.signer(http: http), endpoint: "http://127.0.0.1:4443")
        return await #expect(throws: SignedURLError.self) {
            _ = try await signer.signedURL(bucket: Self.bucket, object: Self.object, now: Self.signingTime)
        }
    }

    @Test func signBlobRefusedWith403IsAFinalTypedErrorInGooglesWords() async throws {
        let error = try await signBlobError(status: 403)
        guard case .signBlobRefused(let status, let account, let message) = error else {
            Issue.record("expected signBlobRefused, got \(String(describing: error))")
            return
        }
        #expect(status == 403 && account == signingTestAccount)
        #expect(message.contains("PERMISSION_DENIED") && message.contains("iam.serviceAccounts.signBlob"))
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("roles/iam.serviceAccountTokenCreator") == true)
    }

    @Test func signBlobUnavailableIsRetryable() async throws {
        let error = try await signBlobError(status: 503)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("HTTP 503") == true)
    }

    @Test func noMetadataServerSaysWhichAccountIsUnknownAndHowToFixIt() async throws {
        let closed = try TestHTTPServer { _ in .close }
        let port = closed.port
        closed.stop()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let signer = IAMSignBlobSigner(
            metadataHost: "127.0.0.1:\(port)", baseURL: "http://127.0.0.1:\(port)", tokens: StaticTokenProvider(token: "t"),
            http: http)
        let error = await #expect(throws: SignedURLError.self) { _ = try await signer.sign(Array("x".utf8)) }
        guard case .serviceAccountUnknown(let why, _) = error else {
            Issue.record("expected serviceAccountUnknown, got \(String(describing: error))")
            return
        }
        #expect(why.contains("GOOGLE_APPLICATION_CREDENTIALS"))
    }

    @Test func aKeyFileSignsLocallyAndOtherwiseIAMSigns() throws {
        let keyFile = try writeSigningKeyFile()
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let tokens = StaticTokenProvider(token: "t")
        let withKey = try BlobSignerDiscovery.signer(
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile], tokens: tokens, http: http)
        #expect(withKey is ServiceAccountKeySigner)
        #expect(withKey.mode == "service-account key (\(signingTestAccount))")
        let withoutKey = try BlobSignerDiscovery.signer(environment: [:], tokens: tokens, http: http)
        #expect(withoutKey is IAMSignBlobSigner)
    }

    // MARK: Bad input

    @Test func lifetimesOutsideOneSecondToSevenDaysAreRefused() throws {
        let key = try ServiceAccountKeySigner(email: signingTestAccount, privateKeyPEM: signingTestKeyPEM)
        for seconds in [0, -1, 604_801] {
            #expect(throws: SignedURLError.invalidLifetime(String(seconds))) {
                _ = try V4URLSigner(signer: key, lifetimeSeconds: seconds)
            }
        }
        #expect(try V4URLSigner(signer: key, lifetimeSeconds: 1).lifetimeSeconds == 1)
        #expect(try V4URLSigner(signer: key, lifetimeSeconds: 604_800).lifetimeSeconds == 604_800)
        #expect(try V4URLSigner.lifetimeSeconds(from: nil) == 900)
        #expect(try V4URLSigner.lifetimeSeconds(from: " ") == 900)
        #expect(try V4URLSigner.lifetimeSeconds(from: "3600") == 3600)
        for text in ["15m", "0", "604801", "1e3"] {
            #expect(throws: SignedURLError.invalidLifetime(text)) { _ = try V4URLSigner.lifetimeSeconds(from: text) }
        }
        #expect(
            SignedURLError.invalidLifetime("15m").description
                == #"GCS_SIGNED_URL_SECONDS must be an integer from 1 to 604800 (got "15m")"#)
    }

    @Test func keyFilesThatCannotSignAreRefusedByName() throws {
        let withoutKey = try writeSigningKeyFile(["private_key": ""])
        let malformed = try writeSigningKeyFile(["private_key": "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"])
        let notJSON = NSTemporaryDirectory() + "signing-key-\(UUID().uuidString).json"
        try Data("not json".utf8).write(to: URL(fileURLWithPath: notJSON))
        defer { for path in [withoutKey, malformed, notJSON] { try? FileManager.default.removeItem(atPath: path) } }

        #expect(throws: SignedURLError.keyFileWithoutPrivateKey(path: withoutKey)) {
            _ = try ServiceAccountKeySigner(keyFile: withoutKey)
        }
        #expect(throws: SignedURLError.malformedPrivateKey(path: malformed)) {
            _ = try ServiceAccountKeySigner(keyFile: malformed)
        }
        #expect(throws: SignedURLError.notAServiceAccountKey(path: notJSON, reason: "not a JSON key file")) {
            _ = try ServiceAccountKeySigner(keyFile: notJSON)
        }
        #expect(throws: SignedURLError.keyFileUnreadable(path: "/nonexistent/key.json")) {
            _ = try ServiceAccountKeySigner(keyFile: "/nonexistent/key.json")
        }
        #expect(throws: SignedURLError.malformedPrivateKey(path: "the key given")) {
            _ = try ServiceAccountKeySigner(email: signingTestAccount, privateKeyPEM: "garbage")
        }
        let message = SignedURLError.malformedPrivateKey(path: malformed).description
        #expect(message.contains(malformed) && !message.contains("bm90IGEga2V5"), "names the file, never its contents")
    }

    @Test func endpointsBucketsAndObjectNamesThatCannotBeSignedAreRefused() async throws {
        let key = try ServiceAccountKeySigner(email: signingTestAccount, privateKeyPEM: signingTestKeyPEM)
        for endpoint in ["ftp://storage.googleapis.com", "https://storage.googleapis.com/storage/v1", "storage.googleapis.com", ""] {
            #expect(throws: SignedURLError.invalidEndpoint(endpoint)) { _ = try V4URLSigner(signer: key, endpoint: endpoint) }
        }
        #expect(try SigningEndpoint("https://storage.googleapis.com:443/").origin == "https://storage.googleapis.com")
        #expect(try SigningEndpoint("http://LOCALHOST:80").origin == "http://localhost")
        let signer = try V4URLSigner(signer: key)
        await #expect(throws: SignedURLError.invalidBucketName("Poster Layers")) {
            _ = try await signer.signedURL(bucket: "Poster Layers", object: "a.png")
        }
        await #expect(throws: SignedURLError.invalidObjectName("it is empty")) {
            _ = try await signer.signedURL(bucket: Self.bucket, object: "")
        }
        await #expect(throws: SignedURLError.self) {
            _ = try await signer.signedURL(bucket: Self.bucket, object: "line\nbreak.png")
        }
        await #expect(throws: SignedURLError.self) {
            _ = try await signer.signedURL(bucket: Self.bucket, object: String(repeating: "é", count: 513))
        }
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
    }
}

final class CallCounter: Sendable {
    let count = Atomic<Int>(0)
}

private func hex(_ byte: UInt8) -> String { byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
