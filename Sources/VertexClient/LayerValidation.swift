import ImageCodec

/// A layer that decoded completely, with its size. `png` is the bytes as
/// received: layers are stored as the model made them, never re-encoded.
public struct ValidatedLayer: Sendable {
    public let png: [UInt8]
    public let width: Int
    public let height: Int
}

/// Checks what the endpoint returned before anything is written: each layer a
/// complete, intact PNG within a pixel cap.
///
/// The layers are stored as received, so their pixels are never needed:
/// `PNGIntegrity` checks every CRC, the whole zlib stream and the exact
/// scanline layout without un-filtering into a full RGBA buffer, which would
/// cost about seven times the CPU and 4 bytes per pixel for nothing.
public enum LayerValidation {
    /// Checks every layer. Their number was checked where the reply was decoded
    /// (`PredictionReply.decode`), the one place that knows what was asked for.
    public static func validate(_ layers: [[UInt8]], maxPixels: Int) throws(VertexError) -> [ValidatedLayer] {
        var validated: [ValidatedLayer] = []
        validated.reserveCapacity(layers.count)
        for (index, bytes) in layers.enumerated() {
            validated.append(try validate(layer: bytes, index: index, maxPixels: maxPixels))
        }
        return validated
    }

    /// One layer (`index` names it in the error), so a caller can check the layers side by side.
    public static func validate(layer bytes: [UInt8], index: Int, maxPixels: Int) throws(VertexError) -> ValidatedLayer {
        let header: ImageHeader
        do {
            header = try ImageHeader.probe(bytes)
        } catch {
            throw .invalidLayers("layer \(index) is not a PNG: \(error)")
        }
        guard header.format == .png else { throw .invalidLayers("layer \(index) is a \(header.format), not a PNG") }
        do {
            let image = try PNGIntegrity.check(bytes, maxPixels: maxPixels)
            return ValidatedLayer(png: bytes, width: image.width, height: image.height)
        } catch {
            throw .invalidLayers("layer \(index) (\(header.width)×\(header.height)) does not decode: \(error)")
        }
    }
}
