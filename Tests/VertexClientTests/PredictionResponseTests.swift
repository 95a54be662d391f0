import Foundation
import Testing
import VertexClient

@Suite struct PredictionResponseTests {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x01]
    let second: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0xFF]

    @Test func decodesLayersAndModelID() throws {
        let body = #"{"predictions":[{"layers":["\#(Data(png).base64EncodedString())","\#(Data(second).base64EncodedString())"]}],"deployedModelId":"7890"}"#
        let response = try PredictionResponse.decode(Array(body.utf8))
        #expect(response.layers == [png, second])
        #expect(response.deployedModelID == "7890")
        #expect(try PredictionResponse.decode(Data(body.utf8)) == response)
    }

    @Test func extraFieldsAreIgnoredAndModelIDIsOptional() throws {
        let body = """
            {"model": "projects/1/locations/us-central1/models/2", "modelVersionId": "1",
             "predictions": [{"layers": ["\(Data(png).base64EncodedString())"], "seconds": 41.5, "seed": 7}],
             "metadata": {"gpu": "L4"}}
            """
        let response = try PredictionResponse.decode(Array(body.utf8))
        #expect(response.layers == [png])
        #expect(response.deployedModelID == nil)
    }

    @Test(arguments: [
        "<html>502</html>",
        "",
        "[1,2]",
        #"{"deployedModelId":"1"}"#,
        #"{"predictions":{}}"#,
        #"{"predictions":[]}"#,
        #"{"predictions":["x"]}"#,
        #"{"predictions":[{}]}"#,
        #"{"predictions":[{"layers":"aGk="}]}"#,
        #"{"predictions":[{"layers":["aGk=",3]}]}"#,
        #"{"predictions":[{"layers":[null]}]}"#,
        #"{"predictions":[{"layers":["aGk="]}]"#,
    ])
    func malformedBodiesAreFinalMalformedResponse(body: String) {
        do {
            _ = try PredictionResponse.decode(Array(body.utf8))
            Issue.record("decoded \(body)")
        } catch {
            #expect(error.code == .malformedResponse, "\(body)")
            #expect(error.kind == .final)
            #expect(error.message.hasPrefix("GPU endpoint returned a malformed response: "))
            #expect(error.message.count > "GPU endpoint returned a malformed response: ".count)
        }
    }

    @Test func messagesSayWhatIsWrong() {
        func message(_ body: String) -> String? {
            do { _ = try PredictionResponse.decode(Array(body.utf8)); return nil } catch { return error.message }
        }
        #expect(message(#"{"predictions":[]}"#)?.contains("\"predictions\" is empty") == true)
        #expect(message(#"{"other":1}"#)?.contains("no \"predictions\"") == true)
        #expect(message(#"{"predictions":[{"layers":["aGk=",3]}]}"#)?.contains("layers[1] is not a string") == true)
        #expect(message("<html><body>oops</body></html>")?.contains("not JSON") == true)
    }

    @Test func invalidBase64NamesTheLayer() {
        let body = #"{"predictions":[{"layers":["aGk=","aGk=","not base64!!"]}]}"#
        #expect(throws: VertexError.self) { try PredictionResponse.decode(Array(body.utf8)) }
        do {
            _ = try PredictionResponse.decode(Array(body.utf8))
        } catch {
            #expect(error.code == .invalidLayers)
            #expect(error.kind == .final)
            #expect(error.message.contains("layer 2"))
        }
    }

    @Test func noLayersOrEmptyLayerIsInvalidLayers() {
        for (body, fragment) in [
            (#"{"predictions":[{"layers":[]}]}"#, "no layers"),
            (#"{"predictions":[{"layers":["aGk=",""]}]}"#, "layer 1 is empty"),
        ] {
            do {
                _ = try PredictionResponse.decode(Array(body.utf8))
                Issue.record("decoded \(body)")
            } catch {
                #expect(error.code == .invalidLayers)
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }
}
