import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization
import Testing
import TestSupport
import VertexClient

/// The client against an in-test endpoint that speaks the wire format and
/// injects faults; each fault must come back with the right class and a
/// readable message.
@Suite struct VertexPredictionClientTests {
    static let goodLayers = [Array("png-0".utf8), Array("png-1".utf8)]

    static func predictionBody(_ layers: [[UInt8]]) -> String {
        let encoded = layers.map { "\"\(Data($0).base64EncodedString())\"" }.joined(separator: ",")
        return #"{"predictions":[{"layers":[\#(encoded)]}],"deployedModelId":"42","extra":true}"#
    }

    func makeClient(_ server: TestHTTPServer, auth: any AccessTokenProvider = NoAuthentication(),
                    timeout: Duration = .seconds(10)) throws -> (VertexPredictionClient, CurlHTTPClient) {
        let http = CurlHTTPClient()
        let endpoint = try PredictionEndpoint(
            projectID: "poster-123", location: "us-central1", endpointID: "987", baseURL: URL(string: server.baseURL))
        return (VertexPredictionClient(endpoint: endpoint, auth: auth, http: http, timeout: timeout), http)
    }

    let request = PredictionRequest(image: [1, 2, 3, 4], layers: 2, resolution: 640)

    @Test func speaksTheWireFormat() async throws {
        let seen = Mutex<TestHTTPServer.Request?>(nil)
        let server = try TestHTTPServer { request in
            seen.withLock { $0 = request }
            return .json(200, Self.predictionBody(Self.goodLayers))
        }
        defer { server.stop() }
        let (client, http) = try makeClient(server)
        defer { http.shutdown() }
        let response = try await client.predict(request)
        #expect(response.layers == Self.goodLayers)
        #expect(response.deployedModelID == "42")
        let received = try #require(seen.withLock { $0 })
        #expect(received.method == "POST")
        #expect(received.path == "/v1/projects/poster-123/locations/us-central1/endpoints/987:predict")
        #expect(received.headers["content-type"] == "application/json")
        #expect(received.headers["authorization"] == nil, "a local endpoint with no credentials gets no auth header")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
        let instance = try #require((json["instances"] as? [[String: Any]])?.first)
        #expect(instance["image"] as? String == "AQIDBA==")
        #expect(instance["layers"] as? Int == 2)
        #expect(instance["resolution"] as? Int == 640)
    }

    @Test func aRejectedTokenIsRefreshedOnceAndTheCallSucceeds() async throws {
        let calls = Mutex<[String]>([])
        let server = try TestHTTPServer { request in
            let token = request.headers["authorization"] ?? "none"
            calls.withLock { $0.append(token) }
            if token == "Bearer stale" { return .json(401, #"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#) }
            return .json(200, Self.predictionBody(Self.goodLayers))
        }
        defer { server.stop() }
        let (client, http) = try makeClient(server, auth: RotatingToken())
        defer { http.shutdown() }
        _ = try await client.predict(request)
        #expect(calls.withLock { $0 } == ["Bearer stale", "Bearer fresh"])
    }

    /// The 401 and the 503 are no answer to the prediction; only the 200's head counts.
    @Test func theReplyStartsOnceAndOnlyForASuccessfulAnswer() async throws {
        let server = try TestHTTPServer { request in
            if request.headers["authorization"] == "Bearer stale" { return .json(401, #"{"error":{"code":401}}"#) }
            return .json(200, Self.predictionBody(Self.goodLayers))
        }
        defer { server.stop() }
        let (client, http) = try makeClient(server, auth: RotatingToken())
        defer { http.shutdown() }
        let started = Atomic<Int>(0)
        let reply = try await client.call(request) { started.add(1, ordering: .relaxed) }
        #expect(try reply.decode().layers == Self.goodLayers)
        #expect(started.load(ordering: .relaxed) == 1)

        let unavailable = try TestHTTPServer { _ in .json(503, #"{"error":{"code":503,"status":"UNAVAILABLE"}}"#) }
        defer { unavailable.stop() }
        let (failing, failingHTTP) = try makeClient(unavailable)
        defer { failingHTTP.shutdown() }
        await #expect(throws: VertexError.self) {
            _ = try await failing.call(request) { started.add(1, ordering: .relaxed) }
        }
        #expect(started.load(ordering: .relaxed) == 1, "a 503 is not the prediction's answer")
    }

    @Test func aTokenRejectedTwiceIsFinal() async throws {
        let server = try TestHTTPServer { _ in
            .json(403, #"{"error":{"code":403,"message":"Permission 'aiplatform.endpoints.predict' denied","status":"PERMISSION_DENIED"}}"#)
        }
        defer { server.stop() }
        let (client, http) = try makeClient(server, auth: StaticTokenProvider(token: "secret-token-value"))
        defer { http.shutdown() }
        let error = try await vertexError { try await client.predict(request) }
        #expect(error.kind == .final && error.code == .unauthorized && error.googleStatus == "PERMISSION_DENIED")
        #expect(error.message.contains("aiplatform.endpoints.predict"))
        #expect(!error.description.contains("secret-token-value"))
    }

    @Test(arguments: [
        (429, #"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"4s"}]}}"#, [String: String](), "gpu_rate_limited", true, 4),
        (429, #"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#, ["Retry-After": "2"], "gpu_rate_limited", true, 2),
        (429, #"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#, [:], "gpu_rate_limited", true, -1),
        (503, #"{"error":{"code":503,"message":"The model is loading","status":"UNAVAILABLE"}}"#, [:], "gpu_unavailable", true, -1),
        (500, #"{"error":{"code":500,"message":"Internal error","status":"INTERNAL"}}"#, [:], "gpu_server_error", true, -1),
        (400, #"{"error":{"code":400,"message":"instances[0].layers must be an integer","status":"INVALID_ARGUMENT"}}"#, [:], "bad_request", false, -1),
        (404, #"{"error":{"code":404,"message":"Endpoint not found","status":"NOT_FOUND"}}"#, [:], "endpoint_not_found", false, -1),
    ])
    func errorAnswersAreClassified(status: Int, body: String, headers: [String: String], code: String, retryable: Bool,
                                   retryAfterSeconds: Int) async throws {
        let server = try TestHTTPServer { _ in .json(status, body, headers: headers) }
        defer { server.stop() }
        let (client, http) = try makeClient(server)
        defer { http.shutdown() }
        let error = try await vertexError { try await client.predict(request) }
        #expect(error.code.rawValue == code)
        #expect(error.isRetryable == retryable)
        #expect(error.httpStatus == status)
        #expect(error.retryAfter == (retryAfterSeconds < 0 ? nil : .seconds(retryAfterSeconds)))
        let googleMessage = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: [String: Any]])?["error"]?["message"] as? String)
        #expect(error.message.contains(googleMessage))
    }

    @Test func anHTMLPageFromAProxyStillReads() async throws {
        let server = try TestHTTPServer { _ in
            .respond(status: 502, headers: ["Content-Type": "text/html"],
                     body: Array("<html><head><title>502</title></head><body><h1>Bad Gateway</h1><p>upstream connect error</p></body></html>".utf8))
        }
        defer { server.stop() }
        let (client, http) = try makeClient(server)
        defer { http.shutdown() }
        let error = try await vertexError { try await client.predict(request) }
        #expect(error.isRetryable)
        #expect(error.message.contains("upstream connect error"))
        #expect(!error.message.contains("<h1>"))
    }

    @Test func transportFaultsAreRetryable() async throws {
        let slow = try TestHTTPServer { _ in .hang }
        defer { slow.stop() }
        let (slowClient, http1) = try makeClient(slow, timeout: .milliseconds(300))
        defer { http1.shutdown() }
        let timeout = try await vertexError { try await slowClient.predict(request) }
        #expect(timeout.code == .gpuTimeout && timeout.isRetryable)

        let dropping = try TestHTTPServer { _ in .dropMidBody(status: 200, body: Array(Self.predictionBody(Self.goodLayers).utf8), bytes: 20) }
        defer { dropping.stop() }
        let (droppingClient, http2) = try makeClient(dropping)
        defer { http2.shutdown() }
        let dropped = try await vertexError { try await droppingClient.predict(request) }
        #expect(dropped.code == .truncatedResponse && dropped.isRetryable)

        let port = try freeLoopbackPort()
        let http3 = CurlHTTPClient()
        defer { http3.shutdown() }
        let refusedClient = VertexPredictionClient(
            endpoint: try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e",
                                             baseURL: URL(string: "http://127.0.0.1:\(port)")),
            auth: NoAuthentication(), http: http3)
        let refused = try await vertexError { try await refusedClient.predict(request) }
        #expect(refused.code == .connectionFailed && refused.isRetryable)
    }

    @Test(arguments: [
        ("not json at all", "malformed_response"),
        (#"{"predictions":[]}"#, "malformed_response"),
        (#"{"predictions":[{"layers":["%%%not-base64%%%","AA=="]}]}"#, "invalid_layers"),
        (#"{"predictions":[{"layers":["AA=="]}]}"#, "invalid_layers"),
    ])
    func badSuccessBodiesAreFinal(body: String, code: String) async throws {
        let server = try TestHTTPServer { _ in .json(200, body) }
        defer { server.stop() }
        let (client, http) = try makeClient(server)
        defer { http.shutdown() }
        let error = try await vertexError { try await client.predict(request) }
        #expect(error.code.rawValue == code)
        #expect(!error.isRetryable)
        #expect(!error.message.isEmpty)
    }

    @Test func anOversizedRequestFailsBeforeAnyCall() async throws {
        let server = try TestHTTPServer { _ in .json(200, Self.predictionBody(Self.goodLayers)) }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let client = VertexPredictionClient(
            endpoint: try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e", baseURL: URL(string: server.baseURL)),
            auth: NoAuthentication(), http: http, maxRequestBytes: 1_000)
        let error = try await vertexError {
            try await client.predict(PredictionRequest(image: [UInt8](repeating: 9, count: 2_000), layers: 2, resolution: 640))
        }
        #expect(error.code == .requestTooLarge && !error.isRetryable)
        #expect(server.requestCount == 0)
    }

    @Test func cancellingTheJobAbortsTheGPURequest() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let (client, http) = try makeClient(server, timeout: .seconds(60))
        defer { http.shutdown() }
        let call = Task { try await client.predict(request) }
        while server.requestCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        call.cancel()
        await #expect(throws: PredictionCallCancelled(reachedEndpoint: true)) { _ = try await call.value }
    }
}

/// Hands out a stale token first, a fresh one when asked to refresh.
struct RotatingToken: AccessTokenProvider {
    func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? { forceRefresh ? "fresh" : "stale" }
    var mode: String { "test" }
}

func vertexError(_ body: () async throws -> PredictionResponse) async throws -> VertexError {
    do {
        let response = try await body()
        Issue.record("expected an error, got \(response.layers.count) layers")
        throw TestSupportError("no error")
    } catch let error as VertexError {
        return error
    }
}
