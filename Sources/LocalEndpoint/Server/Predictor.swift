import Foundation
import ImageCodec

/// The CPU side of one prediction call: read the instances, decode each
/// image, decompose it, encode the layers as PNGs, and write the answer.
/// Synchronous on purpose; `LocalEndpointServer` runs it on `ComputePool.localEndpoint`.
struct Predictor: Sendable {
    let maxImagePixels: Int
    let deployedModelID: String

    /// What was done, for the request log.
    struct Outcome: Sendable {
        let body: [UInt8]
        let summary: String
    }

    /// - Parameter wrongLayerCount: the `wrong-layer-count` fault: answer
    ///   with one layer fewer than asked (one more when one was asked).
    /// - Throws: `GoogleError` (400) for anything wrong with the request.
    func predict(body: Data, wrongLayerCount: Bool) throws(GoogleError) -> Outcome {
        let instances = try PredictionRequestReader.instances(from: body)
        var predictions: [[[UInt8]]] = []
        var summaries: [String] = []
        for (index, instance) in instances.enumerated() {
            var layers = try decompose(instance, path: "instances[\(index)]")
            if wrongLayerCount {
                if layers.count > 1 { layers.removeLast() } else { layers.append(layers[0]) }
            }
            predictions.append(layers)
            summaries.append("\(layers.count) layers")
        }
        return Outcome(
            body: PredictionBody.success(predictions: predictions, deployedModelID: deployedModelID),
            summary: summaries.joined(separator: "; "))
    }

    private func decompose(_ instance: PredictionInstance, path: String) throws(GoogleError) -> [[UInt8]] {
        let image: RasterImage
        do {
            image = try ImageDecoder.decode(instance.image, maxPixels: maxImagePixels)
        } catch {
            throw .invalidArgument("\(path).image is not a usable PNG or JPEG: \(error)")
        }
        let layers: [RasterImage]
        do {
            layers = try LocalDecomposer.decompose(image, layers: instance.layers)
        } catch {
            throw .invalidArgument("\(path): \(error)")
        }
        do {
            return try layers.map { layer throws(ImageCodecError) in try ImageEncoder.png(layer) }
        } catch {
            // Only reachable if libpng fails on valid pixels: the server's fault, not the caller's.
            throw GoogleError.forStatus(500, message: "could not encode a layer: \(error)")
        }
    }
}
