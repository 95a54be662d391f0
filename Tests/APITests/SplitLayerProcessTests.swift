import CurlHTTP
import Foundation
import ImageCodec
import Synchronization
import Testing
import TestSupport

/// A split with real processes (`decomposer api` and `decomposer worker`, `STORAGE_BACKEND=gcs`):
/// the parent's layer, copied in the bucket, is what the endpoint receives — a PNG with its
/// alpha — and the child completes with its parent recorded and its call billed.
@Suite struct SplitLayerProcessTests {
    /// Layers with transparency (every other pixel clear), as the model returns them.
    static func transparentLayers(for request: TestHTTPServer.Request) -> TestHTTPServer.Reply {
        let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        let count = ((json?["instances"] as? [[String: Any]])?.first?["layers"] as? Int) ?? 0
        let layers = (0..<count).map { index in
            let png = (try? ImageEncoder.png(TestImages.gradient(width: 40, height: 60, alpha: true, seed: index))) ?? []
            return "\"\(Data(png).base64EncodedString())\""
        }
        return .respond(
            status: 200, headers: ["Content-Type": "application/json"],
            body: Array(#"{"predictions":[{"layers":[\#(layers.joined(separator: ","))]}]}"#.utf8), delay: .milliseconds(100))
    }

    @Test func aChildJobCompletesFromItsParentsLayerSentAsAPNGWithAlpha() async throws {
        let images = Mutex<[[UInt8]]>([])
        let setup = try await BucketSetup.start { _, request in
            let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            if let image = ((json?["instances"] as? [[String: Any]])?.first?["image"] as? String).flatMap({ Data(base64Encoded: $0) }) {
                images.withLock { $0.append(Array(image)) }
            }
            return Self.transparentLayers(for: request)
        }
        defer { setup.stop() }
        let (api, worker) = try await setup.launchStack()
        defer { worker.stop(); api.stop() }

        let parentID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let parent = try await setup.waitUntilFinished([parentID], on: api, within: .seconds(60))[0]
        #expect(parent["status"] as? String == "completed", "\(parent)")

        let reply = try await setup.http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"source":{"job_id":"\#(parentID)","layer":1},"num_layers":3,"resolution":640}"#.utf8)))
        #expect(reply.status == 202, "\(reply.text)")
        let childID = try #require(try reply.json()["job_id"] as? String)
        let child = try await setup.waitUntilFinished([childID], on: api, within: .seconds(60))[0]
        #expect(child["status"] as? String == "completed", "\(child)")
        #expect((child["layers"] as? [Any])?.count == 3)
        let recorded = try #require(child["parent"] as? [String: Any], "\(child)")
        #expect(recorded["job_id"] as? String == parentID && recorded["layer"] as? Int == 1)
        #expect((child["cost_usd"] as? Double ?? 0) > 0, "the child's call is billed like any job's: \(child)")

        // What the endpoint got for the child: the parent's layer 1, a PNG with its alpha, pixel for pixel.
        let sent = images.withLock { $0 }
        #expect(sent.count == 2)
        let childImage = try #require(sent.last)
        #expect(Array(childImage.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        let decoded = try ImageDecoder.decode(childImage, maxPixels: 1 << 20)
        let layer = TestImages.gradient(width: 40, height: 60, alpha: true, seed: 1)
        #expect(decoded.width == 40 && decoded.height == 60)
        #expect(decoded.pixels == layer.pixels, "the layer's pixels with their transparency")
        #expect(stride(from: 3, to: decoded.pixels.count, by: 4).contains { decoded.pixels[$0] == 0 }, "some pixels are clear")

        // The layer was copied in the bucket into an upload of its own.
        let fileID = try #require(child["file_id"] as? String)
        #expect(try await setup.objectNames(prefix: "uploads/\(fileID)") == ["uploads/\(fileID).png"])
        #expect(try await setup.object("uploads/\(fileID).png") == (try await setup.object("results/\(parentID)/1/layer_1.png")))
        let costs = try await setup.http.send(HTTPRequest(url: api.base + "/api/costs?days=1")).json()
        let today = try #require((costs["days"] as? [[String: Any]])?.last)
        #expect(today["requests"] as? Int == 2, "both calls on the day's books: \(costs)")
    }
}
