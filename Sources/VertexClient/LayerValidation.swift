import ImageCodec

/// A layer that decoded completely, with its size. `png` is the bytes as
/// received: layers are stored as the model made them, never re-encoded.
public struct ValidatedLayer: Sendable {
    public let png: [UInt8]
    public let width: Int
    public let height: Int
}

/// Checks what the endpoint returned before anything is written: the count
/// asked for, and each layer a PNG that libpng decodes completely (CRCs
/// checked) within a pixel cap.
public enum LayerValidation {
    public static func validate(_ layers: [[UInt8]], expected: Int, maxPixels: Int) throws(VertexError) -> [ValidatedLayer] {
        guard layers.count == expected else {
            throw .invalidLayers("the endpoint returned \(layers.count) layers; \(expected) were requested")
        }
        var validated: [ValidatedLayer] = []
        validated.reserveCapacity(layers.count)
        for (index, bytes) in layers.enumerated() {
            let header: ImageHeader
            do {
                header = try ImageHeader.probe(bytes)
            } catch {
                throw .invalidLayers("layer \(index) is not a PNG: \(error)")
            }
            guard header.format == .png else { throw .invalidLayers("layer \(index) is a \(header.format), not a PNG") }
            do {
                let image = try ImageDecoder.decode(bytes, maxPixels: maxPixels)
                validated.append(ValidatedLayer(png: bytes, width: image.width, height: image.height))
            } catch {
                throw .invalidLayers("layer \(index) (\(header.width)×\(header.height)) does not decode: \(error)")
            }
        }
        return validated
    }
}
