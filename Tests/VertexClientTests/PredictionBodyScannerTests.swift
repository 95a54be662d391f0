import Foundation
import ImageCodec
import Testing
@testable import VertexClient

/// The one-pass reader of prediction bodies must give exactly what the general
/// `JSONSerialization` path gives, and leave anything unusual to that path.
@Suite struct PredictionBodyScannerTests {
    let layers: [[UInt8]] = [[0x89, 0x50, 0x4E, 0x47], [1], [1, 2], [1, 2, 3], Array(0...255)]

    func scan(_ body: String) -> PredictionResponse? {
        Array(body.utf8).withUnsafeBufferPointer(PredictionBodyScanner.decode)
    }

    func encoded(_ layers: [[UInt8]]) -> String {
        layers.map { "\"\(Data($0).base64EncodedString())\"" }.joined(separator: ",")
    }

    @Test func readsTheCommonShapeItself() throws {
        let bodies = [
            #"{"predictions":[{"layers":[\#(encoded(layers))]}],"deployedModelId":"7890"}"#,
            """
            { "model" : "projects/1/models/2", "predictions" : [ { "seed" : -7.5e-3, "layers" : [ \(encoded(layers)) ],
              "meta" : { "gpu" : "L4", "ok" : true, "none" : null, "list" : [ 1, [ 2, { } ], [ ] ] } },
              { "layers" : [ "ignored" ] } ] , "deployedModelId" : 42 }\n
            """,
        ]
        for body in bodies {
            let scanned = try #require(scan(body), "\(body)")
            #expect(scanned == (try PredictionResponse.decode(Data(body.utf8))))
            #expect(scanned.layers == layers)
        }
        #expect(scan(bodies[0])?.deployedModelID == "7890")
        #expect(scan(bodies[1])?.deployedModelID == nil, "a number is not a model id")
    }

    @Test func leavesAnythingUnusualToTheGeneralPath() throws {
        let escapedSlash = Data([0xFF, 0xFE, 0xFD]).base64EncodedString()  // "//79"
        #expect(escapedSlash.contains("/"))
        let unusual = [
            // Legal JSON the scanner does not read itself: the general path decodes it.
            #"{"predictions":[{"layers":["\#(escapedSlash.replacingOccurrences(of: "/", with: "\\/"))"]}]}"#,
            #"{"predictions":[{"layers":["aGk="]}],"note":"caf\u00e9"}"#,
            // An escape or a control character inside a layer's base64 (read to the next quote).
            #"{"predictions":[{"layers":["aG\"k="]}]}"#,
            "{\"predictions\":[{\"layers\":[\"aGk=\naGk=\"]}]}",
            "{\"predictions\":[{\"layers\":[\"aGk=\taGk=\"]}]}",
            #"{"predictions":[{"layers":["aGk="],"layers":["aGk="]}]}"#,
            // Malformed or semantically wrong: the general path names the problem.
            #"{"predictions":[{"layers":["aGk="]}]"#,
            #"{"predictions":[{"layers":["aGk="]}]} x"#,
            #"{"predictions":[{"layers":["aGk"]}]}"#,
            #"{"predictions":[{"layers":["aGl="]}]}"#,
            #"{"predictions":[{"layers":[]}]}"#,
            #"{"predictions":[],"x":01}"#,
            #"{"predictions":[{"layers":["aGk="]}],"x":[1,}"#,
            #"{"deep":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
                + #","predictions":[{"layers":["aGk="]}]}"#,
        ]
        for body in unusual {
            #expect(scan(body) == nil, "\(body)")
        }
        #expect(try PredictionResponse.decode(Array(unusual[0].utf8)).layers == [[0xFF, 0xFE, 0xFD]])
        #expect(try PredictionResponse.decode(Array(unusual[1].utf8)).layers == [Array("hi".utf8)])
        #expect(try PredictionResponse.decode(Array(unusual.last!.utf8)).layers == [Array("hi".utf8)])
    }
}

@Suite struct PredictionReplyTests {
    @Test func theLayerCountIsChecked() throws {
        let body = Array(#"{"predictions":[{"layers":["aGk=","aGk="]}]}"#.utf8)
        #expect(try PredictionReply(body: body, requestedLayers: 2).decode().layers.count == 2)
        #expect {
            try PredictionReply(body: body, requestedLayers: 3).decode()
        } throws: { error in
            (error as? VertexError)?.code == .invalidLayers
        }
    }
}

@Suite struct SingleLayerValidationTests {
    @Test func eachLayerIsCheckedOnItsOwnAndNamedByIndex() throws {
        let png = try ImageEncoder.png(ImagePreparationTests.photo(width: 8, height: 4, alpha: true))
        let layer = try LayerValidation.validate(layer: png, index: 3, maxPixels: 100)
        #expect(layer.png == png && layer.width == 8 && layer.height == 4)
        var truncated = png
        truncated.removeLast(30)
        #expect {
            try LayerValidation.validate(layer: truncated, index: 3, maxPixels: 100)
        } throws: { error in
            guard let error = error as? VertexError else { return false }
            return error.code == .invalidLayers && error.message.contains("layer 3") && error.message.contains("ends early")
        }
        #expect(throws: VertexError.self) { try LayerValidation.validate(layer: png, index: 0, maxPixels: 31) }
    }
}
