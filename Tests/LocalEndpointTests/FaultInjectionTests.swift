import Foundation
import ImageCodec
import LocalEndpoint
import Testing
import VertexClient

/// Each injected fault reaches the worker's client as the error class the
/// retry policy acts on.
@Suite struct FaultInjectionTests {
    let request = PredictionRequest(image: (try? ImageEncoder.png(SyntheticPoster.twoColours())) ?? [], layers: 3, resolution: 640)

    @Test func aRateLimitIsRetryableWithTheServersRetryAfter() async throws {
        let faults = try FaultSettings(rateLimitProbability: 1, retryAfterSeconds: 2)
        let (error, raw) = try await EndpointHarness.with(faults: faults) { endpoint in
            let error = try await EndpointHTTPTests.vertexError { try await endpoint.client().predict(request) }
            let raw = try await endpoint.send("POST", "/v1/projects/p/locations/l/endpoints/e:predict", body: [UInt8](request.body()))
            return (error, raw)
        }
        #expect(error.kind == .retryable && error.code == .gpuRateLimited && error.httpStatus == 429)
        #expect(error.googleStatus == "RESOURCE_EXHAUSTED")
        #expect(error.retryAfter == .seconds(2))
        #expect(raw.headers.first { $0.key.lowercased() == "retry-after" }?.value == "2")
    }

    @Test func unavailableIsRetryable() async throws {
        let error = try await EndpointHarness.with(faults: try FaultSettings(unavailableProbability: 1)) { endpoint in
            try await EndpointHTTPTests.vertexError { try await endpoint.client().predict(request) }
        }
        #expect(error.kind == .retryable && error.code == .gpuUnavailable && error.httpStatus == 503)
        #expect(error.googleStatus == "UNAVAILABLE")
    }

    @Test func aHangOutlastsTheClientTimeoutAndEndsAtShutdown() async throws {
        // An hour-long hang: only graceful shutdown can end it, so `with`
        // returning at all shows that it does.
        let faults = try FaultSettings(hangProbability: 1, hangDuration: .seconds(3600))
        let error = try await EndpointHarness.with(faults: faults) { endpoint in
            try await EndpointHTTPTests.vertexError { try await endpoint.client(timeout: .seconds(1)).predict(request) }
        }
        #expect(error.kind == .retryable && error.code == .gpuTimeout)
    }

    @Test func aMalformedBodyIsFinal() async throws {
        let error = try await EndpointHarness.with(faults: try FaultSettings(malformedProbability: 1)) { endpoint in
            try await EndpointHTTPTests.vertexError { try await endpoint.client().predict(request) }
        }
        #expect(error.kind == .final && error.code == .malformedResponse)
    }

    @Test func theWrongLayerCountIsFinal() async throws {
        let faults = try FaultSettings(wrongLayersProbability: 1)
        let (error, raw) = try await EndpointHarness.with(faults: faults) { endpoint in
            let error = try await EndpointHTTPTests.vertexError { try await endpoint.client().predict(request) }
            let raw = try await endpoint.send("POST", "/v1/projects/p/locations/l/endpoints/e:predict", body: [UInt8](request.body()))
            return (error, raw)
        }
        #expect(error.kind == .final && error.code == .invalidLayers)
        #expect(error.message.contains("returned 2 layers; 3 were requested"))
        // The layers themselves are real ones, only one too few.
        #expect(try LayerValidation.validate(try PredictionResponse.decode(raw.body).layers, maxPixels: 1 << 20).count == 2)
    }

    @Test func theSameSeedGivesTheSameAnswersInTheSameOrder() async throws {
        let faults = try FaultSettings(
            latency: try #require(LatencyRange(milliseconds: 0, 20)), rateLimitProbability: 0.3,
            unavailableProbability: 0.2, malformedProbability: 0.1, wrongLayersProbability: 0.1, seed: 42)
        func outcomes() async throws -> [String] {
            try await EndpointHarness.with(faults: faults) { endpoint in
                var seen: [String] = []
                for _ in 0..<12 {
                    do {
                        _ = try await endpoint.client().predict(request)
                        seen.append("ok")
                    } catch let error as VertexError {
                        seen.append(error.code.rawValue)
                    }
                }
                return seen
            }
        }
        let first = try await outcomes()
        #expect(try await outcomes() == first)
        #expect(first.contains("ok") && first.contains { $0 != "ok" }, "\(first)")
    }
}
