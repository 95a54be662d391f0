import CurlHTTP
import Foundation
import ImageCodec
import LocalEndpoint
import Testing
import VertexClient

/// The real HTTP path: the worker's `VertexPredictionClient` against the
/// endpoint on a loopback port, and bad requests answered the Google way.
@Suite struct EndpointHTTPTests {
    static let poster = SyntheticPoster.poster()

    @Test func theWorkersClientGetsLayersThatStackBackIntoThePoster() async throws {
        let png = try ImageEncoder.png(Self.poster)
        let response = try await EndpointHarness.with { endpoint in
            try await endpoint.client().predict(PredictionRequest(image: png, layers: 4, resolution: 640))
        }
        #expect(response.deployedModelID == "local-cpu")
        let validated = try LayerValidation.validate(response.layers, maxPixels: 50_000_000)
        #expect(validated.allSatisfy { $0.width == Self.poster.width && $0.height == Self.poster.height })
        let layers = try response.layers.map { try ImageDecoder.decode($0, maxPixels: 50_000_000) }
        #expect(layers.map(Compositing.visiblePixels).allSatisfy { $0 > 0 })
        #expect(Compositing.psnr(layers, against: Self.poster) >= 35)
    }

    @Test func aJPEGAsTheWorkerSendsItIsDecomposedAtItsOwnSize() async throws {
        let jpeg = try ImageEncoder.jpeg(Self.poster, quality: 85)
        let sent = try ImageDecoder.decode(jpeg, maxPixels: 50_000_000)
        let response = try await EndpointHarness.with { endpoint in
            try await endpoint.client().predict(PredictionRequest(image: jpeg, layers: 3, resolution: 1024))
        }
        let layers = try response.layers.map { try ImageDecoder.decode($0, maxPixels: 50_000_000) }
        #expect(layers.count == 3)
        #expect(Compositing.psnr(layers, against: sent) >= 35)
    }

    @Test func anyProjectLocationAndEndpointIsServedButOnlyPredict() async throws {
        let body = PredictionRequest(image: try ImageEncoder.png(SyntheticPoster.twoColours()), layers: 2, resolution: 640).body()
        try await EndpointHarness.with { endpoint in
            let other = try await endpoint.send("POST", "/v1/projects/another-project/locations/europe-west4/endpoints/42:predict", body: [UInt8](body))
            #expect(other.status == 200)
            #expect(try PredictionResponse.decode(other.body).layers.count == 2)

            let explain = try await endpoint.send("POST", "/v1/projects/p/locations/l/endpoints/42:explain", body: [UInt8](body))
            #expect(explain.status == 404)
            #expect(try Self.googleError(explain.body).status == "NOT_FOUND")
            let get = try await endpoint.send("GET", "/v1/projects/p/locations/l/endpoints/42:predict")
            #expect((400...499).contains(get.status))
            #expect(try Self.googleError(get.body).code == get.status)
        }
    }

    @Test func badRequestsAre400InvalidArgumentNamingTheProblem() async throws {
        let notAnImage = Data("hello, not an image".utf8).base64EncodedString()
        let tinyPNG = Data(try ImageEncoder.png(RasterImage(width: 2, height: 1, pixels: [UInt8](repeating: 255, count: 8)))).base64EncodedString()
        let cases: [(body: String, message: String)] = [
            ("this is not json", "not valid JSON"),
            ("[1,2]", "the request body must be an object"),
            ("{}", #"the request has no "instances" field"#),
            (#"{"instances":[]}"#, "instances is empty"),
            (#"{"instances":[{"image":"AAAA","layers":3}]}"#, #"instances[0] has no "resolution" field"#),
            (#"{"instances":[{"image":"AAAA","layers":"3","resolution":640}]}"#, "instances[0].layers must be an integer"),
            (#"{"instances":[{"image":"AAAA","layers":2.5,"resolution":640}]}"#, "instances[0].layers must be an integer from 1 to 20 (got 2.5)"),
            (#"{"instances":[{"image":"%%%","layers":3,"resolution":640}]}"#, "instances[0].image is not valid base64"),
            (#"{"instances":[{"image":"\#(notAnImage)","layers":3,"resolution":640}]}"#, "instances[0].image is not a usable PNG or JPEG"),
            (#"{"instances":[{"image":"\#(tinyPNG)","layers":0,"resolution":640}]}"#, "instances[0].layers must be an integer from 1 to 20 (got 0)"),
            (#"{"instances":[{"image":"\#(tinyPNG)","layers":3,"resolution":5}]}"#, "instances[0].resolution must be an integer from 64 to 4096"),
            (#"{"instances":[{"image":"\#(tinyPNG)","layers":3,"resolution":640}]}"#, "fewer than the 3 layers"),
        ]
        try await EndpointHarness.with { endpoint in
            for (body, message) in cases {
                let response = try await endpoint.send("POST", "/v1/projects/p/locations/l/endpoints/e:predict", body: Array(body.utf8))
                #expect(response.status == 400, "\(body)")
                let error = try Self.googleError(response.body)
                #expect(error.code == 400 && error.status == "INVALID_ARGUMENT")
                #expect(error.message.contains(message), "\(body) → \(error.message)")
            }
            // Still serving after all of that.
            let png = try ImageEncoder.png(SyntheticPoster.twoColours())
            #expect(try await endpoint.client().predict(PredictionRequest(image: png, layers: 2, resolution: 640)).layers.count == 2)
        }
    }

    @Test func theClientSeesABadRequestAsFinalWithTheServersMessage() async throws {
        let png = try ImageEncoder.png(SyntheticPoster.twoColours())
        let error = try await EndpointHarness.with { endpoint in
            try await Self.vertexError { try await endpoint.client().predict(PredictionRequest(image: png, layers: 25, resolution: 640)) }
        }
        #expect(error.kind == .final && error.code == .badRequest && error.httpStatus == 400)
        #expect(error.googleStatus == "INVALID_ARGUMENT")
        #expect(error.message.contains("layers must be an integer from 1 to 20 (got 25)"))
    }

    @Test func aBodyOverTheLimitIsRefusedLikeVertexDoes() async throws {
        let png = try ImageEncoder.png(Self.poster)
        let response = try await EndpointHarness.with(LocalEndpointSettings(maxRequestBytes: 1000)) { endpoint in
            try await endpoint.send(
                "POST", "/v1/projects/p/locations/l/endpoints/e:predict",
                body: [UInt8](PredictionRequest(image: png, layers: 3, resolution: 640).body()))
        }
        #expect(response.status == 400)
        #expect(try Self.googleError(response.body).message == "Request payload size exceeds the limit: 1000 bytes.")
    }

    @Test func healthzAnswers() async throws {
        let response = try await EndpointHarness.with { try await $0.send("GET", "/healthz") }
        #expect(response.status == 200)
    }

    // MARK: - Helpers

    struct GoogleErrorFields {
        let code: Int
        let status: String
        let message: String
    }

    static func googleError(_ body: [UInt8]) throws -> GoogleErrorFields {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        return GoogleErrorFields(
            code: try #require(error["code"] as? Int), status: try #require(error["status"] as? String),
            message: try #require(error["message"] as? String))
    }

    static func vertexError(_ call: () async throws -> some Any) async throws -> VertexError {
        do {
            _ = try await call()
        } catch let error as VertexError {
            return error
        }
        Issue.record("the call succeeded")
        throw CancellationError()
    }
}
