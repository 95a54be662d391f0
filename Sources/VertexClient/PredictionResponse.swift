import Foundation

/// A successful prediction: the decoded layer images, background first as the
/// model returns them.
///
/// Wire format: `{"predictions":[{"layers":["<base64 PNG>", …]}],
/// "deployedModelId":"…"}`; other fields are ignored so the endpoint can add
/// some without breaking workers. A 2xx body that does not match is a final
/// error (`malformed_response`, `invalid_layers`): the model server would send
/// the same thing again, so retrying only burns GPU time.
public struct PredictionResponse: Sendable, Equatable {
    /// Each layer's file bytes (PNG), decoded from base64.
    public var layers: [[UInt8]]
    /// Which deployed model answered; kept for the job record and cost reports.
    public var deployedModelID: String?

    public init(layers: [[UInt8]], deployedModelID: String? = nil) {
        self.layers = layers
        self.deployedModelID = deployedModelID
    }

    /// Well-formed bodies are read in one pass straight from their bytes
    /// (`PredictionBodyScanner`); anything else goes through
    /// `JSONSerialization`, which names what is wrong.
    public static func decode(_ body: [UInt8]) throws(VertexError) -> PredictionResponse {
        if let response = body.withUnsafeBufferPointer(PredictionBodyScanner.decode) { return response }
        return try decodeInGeneral(Data(body))
    }

    public static func decode(_ body: Data) throws(VertexError) -> PredictionResponse {
        let scanned = body.withUnsafeBytes { raw in
            PredictionBodyScanner.decode(raw.assumingMemoryBound(to: UInt8.self))
        }
        if let scanned { return scanned }
        return try decodeInGeneral(body)
    }

    private static func decodeInGeneral(_ body: Data) throws(VertexError) -> PredictionResponse {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body)
        } catch {
            let start = ReadableText.summary(of: Array(body.prefix(ReadableText.scanLimit)), limit: 80)
            throw .malformedResponse("the body is not JSON (\(body.count) bytes\(start.isEmpty ? "" : ", starting \"\(start)\""))")
        }
        guard let top = object as? [String: Any] else {
            throw .malformedResponse("the body is not a JSON object")
        }
        guard let predictions = top["predictions"] else {
            throw .malformedResponse("no \"predictions\" field")
        }
        guard let predictions = predictions as? [Any] else {
            throw .malformedResponse("\"predictions\" is not an array")
        }
        // One instance is sent, so one prediction is expected; extra ones are ignored.
        guard let first = predictions.first else {
            throw .malformedResponse("\"predictions\" is empty")
        }
        guard let prediction = first as? [String: Any] else {
            throw .malformedResponse("predictions[0] is not an object")
        }
        guard let layerField = prediction["layers"] else {
            throw .malformedResponse("predictions[0] has no \"layers\" field")
        }
        guard let encodedLayers = layerField as? [Any] else {
            throw .malformedResponse("predictions[0].layers is not an array")
        }
        guard !encodedLayers.isEmpty else {
            throw .invalidLayers("the prediction has no layers")
        }

        var layers: [[UInt8]] = []
        layers.reserveCapacity(encodedLayers.count)
        for (index, element) in encodedLayers.enumerated() {
            guard let encoded = element as? String else {
                throw .malformedResponse("predictions[0].layers[\(index)] is not a string")
            }
            guard let data = Data(base64Encoded: encoded) else {
                throw .invalidLayers("layer \(index) is not valid base64")
            }
            guard !data.isEmpty else {
                throw .invalidLayers("layer \(index) is empty")
            }
            layers.append([UInt8](data))
        }
        return PredictionResponse(layers: layers, deployedModelID: top["deployedModelId"] as? String)
    }
}
