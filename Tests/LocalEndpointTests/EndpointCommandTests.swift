import CurlHTTP
import Foundation
import GoogleAuth
import ImageCodec
import Testing
import VertexClient

/// `decomposer endpoint` as a process: flags and environment, the start-up
/// line, and shutdown on SIGTERM/SIGINT.
@Suite struct EndpointCommandTests {
    @Test func servesTheURLItAdvertisesAndReadsFaultsFromTheEnvironment() async throws {
        let endpoint = try EndpointProcess(
            arguments: ["--port", "0", "--host", "127.0.0.1"],
            environment: ["ENDPOINT_RATE_LIMIT_PROBABILITY": "1", "ENDPOINT_RETRY_AFTER": "3"])
        let url = try await endpoint.advertisedURL()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let client = try Self.client(of: url, http: http)
        let request = try Self.twoLayerRequest()
        let error = try await EndpointHTTPTests.vertexError { try await client.predict(request) }
        #expect(error.code == .gpuRateLimited && error.retryAfter == .seconds(3))
        #expect(try await endpoint.stop(signal: SIGTERM) == 0, "\(endpoint.standardError)")
    }

    @Test func flagsWinOverTheEnvironmentAndSIGINTStopsItCleanly() async throws {
        let endpoint = try EndpointProcess(
            arguments: ["--port", "0", "--rate-limit-probability", "0", "--seed", "5"],
            environment: ["ENDPOINT_RATE_LIMIT_PROBABILITY": "1", "HOST": "127.0.0.1", "PORT": "1"])
        let url = try await endpoint.advertisedURL()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let client = try Self.client(of: url, http: http)
        let request = try Self.twoLayerRequest()
        #expect(try await client.predict(request).layers.count == 2)
        #expect(try await endpoint.stop(signal: SIGINT) == 0, "\(endpoint.standardError)")
    }

    @Test(arguments: [
        (["--rate-limit-probability", "2"], [String: String](), "--rate-limit-probability / ENDPOINT_RATE_LIMIT_PROBABILITY must be a probability from 0 to 1 (got \"2\")"),
        ([], ["ENDPOINT_LATENCY_MS": "soon"], "--latency-ms / ENDPOINT_LATENCY_MS must be milliseconds (500) or a range (200-800) (got \"soon\")"),
        ([], ["PORT": "eighty"], "PORT must be an integer from 1 to 65535 (got \"eighty\")"),
        (["--port", "70000"], [:], "--port must be an integer from 0 to 65535"),
        ([], ["ENDPOINT_REQUEST_LOG": "/nonexistent/requests.jsonl"], "--request-log / ENDPOINT_REQUEST_LOG must be a file that can be appended to (got \"/nonexistent/requests.jsonl\": No such file or directory)"),
    ])
    func anUnusableSettingStopsStartUpWithExitCode2(arguments: [String], environment: [String: String], message: String) async throws {
        let result = try await EndpointProcess(arguments: arguments, environment: environment).waitForExit()
        #expect(result.status == 2)
        #expect(result.standardError.contains("decomposer: configuration error: \(message)"), "\(result.standardError)")
    }

    private static func client(of url: String, http: CurlHTTPClient) throws -> VertexPredictionClient {
        VertexPredictionClient(
            endpoint: try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e", baseURL: URL(string: url)),
            auth: NoAuthentication(), http: http)
    }

    private static func twoLayerRequest() throws -> PredictionRequest {
        PredictionRequest(image: try ImageEncoder.png(SyntheticPoster.twoColours()), layers: 2, resolution: 640)
    }
}
