import Foundation
import Testing
import VertexClient

@Suite struct PredictionRequestTests {
    @Test func bodyHasTheExactWireShape() throws {
        let image: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00, 0xFB]
        let body = PredictionRequest(image: image, layers: 4, resolution: 640).body()
        let text = try #require(String(data: body, encoding: .utf8))
        #expect(text == #"{"instances":[{"image":"iVBOR/8A+w==","layers":4,"resolution":640}]}"#)
    }

    @Test func bodyDecodesBackWithIntegersAndTheSameImage() throws {
        // Every byte value, several times, and a length that needs padding.
        let image = (0..<10_001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let request = PredictionRequest(image: image, layers: 6, resolution: 1024)
        let body = request.body()
        #expect(body.count == request.bodyByteCount)

        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(object.keys.sorted() == ["instances"])
        let instances = try #require(object["instances"] as? [Any])
        #expect(instances.count == 1)
        let instance = try #require(instances.first as? [String: Any])
        #expect(instance.keys.sorted() == ["image", "layers", "resolution"])
        #expect(instance["layers"] as? Int == 6)
        #expect(instance["resolution"] as? Int == 1024)
        let encoded = try #require(instance["image"] as? String)
        #expect(!encoded.contains("\n") && !encoded.contains("\r"))
        #expect(encoded.hasSuffix("=") == (image.count % 3 != 0))
        #expect(try #require(Data(base64Encoded: encoded)) == Data(image))

        // Integers on the wire, not 6.0: the model server's schema is strict.
        let text = try #require(String(data: body, encoding: .utf8))
        #expect(text.hasSuffix(#"","layers":6,"resolution":1024}]}"#))
    }

    @Test func largeImageBodyIsSizedExactly() {
        let image = Data(repeating: 0xAB, count: 1_500_000)
        let request = PredictionRequest(image: image, layers: 4, resolution: 640)
        let body = request.body()
        #expect(body.count == request.bodyByteCount)
        #expect(body.count == 2_000_000 + #"{"instances":[{"image":"","layers":4,"resolution":640}]}"#.utf8.count)
    }

    @Test func emptyImageStillMakesValidJSON() throws {
        let body = PredictionRequest(image: [], layers: 1, resolution: 512).body()
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(object != nil)
        #expect(String(data: body, encoding: .utf8) == #"{"instances":[{"image":"","layers":1,"resolution":512}]}"#)
    }
}
