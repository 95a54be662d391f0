#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ImageCodec
import SystemSupport

/// Writes a job's layers as one Adobe Photoshop document, following Adobe's "Photoshop File Formats
/// Specification": PSD version 1, RGB, 8 bits a channel, the canvas the layers' size; one pixel layer
/// per model layer, bottom (the background) first, each with its transparency (channel -1), blend
/// mode normal, opacity 255, visible, named by `ExportLayer.name` (Pascal and Unicode `luni` names);
/// every channel RLE (PackBits) compressed; and the flat composite (4 channels, RLE too) so a viewer
/// that reads only the flat image shows the poster.
///
/// The layer count is written negative: the spec's way of saying that the composite's first extra
/// channel (its 4th) is the merged transparency. With a positive count readers take that channel
/// for a saved selection and show the composite opaque.
///
/// Streamed: the layer records go first with zero channel lengths; each layer is then decoded, its
/// channels encoded row by row and written, its lengths patched in place (`pwrite`), and the layer
/// dropped before the next one is read. Memory is bounded by one layer, not the number of layers:
/// the layer's PNG bytes and its decoded pixels (w·h·4 bytes), the composite accumulation (w·h·8
/// bytes, see `CompositeAccumulator`), two row buffers and a 1 MiB write buffer. For 2048 × 2048:
/// 16 MiB decoded + 32 MiB composite + the PNG (a few MiB) + 1 MiB ≈ 50–55 MiB, however many layers.
///
/// Synchronous and blocking (file I/O, decoding, compression): call it off the concurrency pool.
public struct PSDWriter: LayeredFileWriter {
    /// PSD version 1's largest width or height.
    public static let maximumSide = 30_000
    /// The layer count is a signed 16-bit number.
    public static let maximumLayerCount = Int(Int16.max)

    public init() {}

    /// Writes the document at `path`; on failure the partial file is removed.
    public func write(_ source: ExportSource, to path: String) throws {
        let canvas = try Self.canvas(of: source.layers)
        let file = try BigEndianFileWriter(creating: path)
        do {
            try Self.writeDocument(source.layers, width: canvas.width, height: canvas.height, to: file)
            try file.close()
        } catch {
            unlink(path)
            throw error
        }
    }

    /// The canvas: the layers' common size, from their headers alone (a few bytes each), so a
    /// mismatch is refused before anything is written.
    static func canvas(of layers: [ExportLayer]) throws -> (width: Int, height: Int) {
        guard let first = layers.first else { throw PSDWriterError.noLayers }
        guard layers.count <= maximumLayerCount else { throw PSDWriterError.tooManyLayers(count: layers.count) }
        let size = try header(of: first)
        guard size.width <= maximumSide, size.height <= maximumSide else {
            throw PSDWriterError.canvasTooLarge(width: size.width, height: size.height)
        }
        for layer in layers.dropFirst() {
            let other = try header(of: layer)
            guard other.width == size.width, other.height == size.height else {
                throw PSDWriterError.layerSizeMismatch(
                    layer: layer.name, width: other.width, height: other.height, canvasWidth: size.width,
                    canvasHeight: size.height)
            }
        }
        return (size.width, size.height)
    }

    private static func header(of layer: ExportLayer) throws -> ImageHeader {
        do {
            // A PNG's size is in its first 33 bytes; 64 KiB covers a JPEG's markers too.
            return try ImageHeader.probe(LayerFileReader.contents(of: layer.path, limit: 1 << 16))
        } catch {
            throw PSDWriterError.unreadableLayer(layer: layer.name, path: layer.path, reason: "\(error)")
        }
    }

    private static func decode(_ layer: ExportLayer, width: Int, height: Int) throws -> RasterImage {
        let image: RasterImage
        do {
            image = try ImageDecoder.decode(LayerFileReader.contents(of: layer.path), maxPixels: width * height)
        } catch {
            throw PSDWriterError.unreadableLayer(layer: layer.name, path: layer.path, reason: "\(error)")
        }
        guard image.width == width, image.height == height else {
            throw PSDWriterError.layerSizeMismatch(
                layer: layer.name, width: image.width, height: image.height, canvasWidth: width, canvasHeight: height)
        }
        return image
    }

    private static func writeDocument(
        _ layers: [ExportLayer], width: Int, height: Int, to file: BigEndianFileWriter
    ) throws {
        // File header.
        try file.write(signature: "8BPS")
        try file.write(UInt16(1))  // version: PSD
        try file.write([0, 0, 0, 0, 0, 0])  // reserved
        try file.write(UInt16(4))  // channels: R, G, B and the composite's transparency
        try file.write(UInt32(height))
        try file.write(UInt32(width))
        try file.write(UInt16(8))  // bits per channel
        try file.write(UInt16(3))  // colour mode: RGB
        try file.write(UInt32(0))  // colour mode data: none for RGB
        try file.write(UInt32(0))  // image resources: none

        // Layer and mask information: its length, then the layer info's length, patched at the end.
        let sectionLength = try file.reserve(4)
        let layerInfoLength = try file.reserve(4)
        try file.write(Int16(-layers.count))
        var channelLengths: [[Int]] = []
        for layer in layers {
            channelLengths.append(try PSDLayerRecord(name: layer.name, width: width, height: height).write(to: file))
        }
        let encoder = RowEncoder(width: width, height: height)
        var composite = CompositeAccumulator(width: width, height: height)
        for (layer, lengths) in zip(layers, channelLengths) {
            let image = try decode(layer, width: width, height: height)
            composite.add(image)
            for (id, lengthOffset) in zip(PSDLayerRecord.channelIDs, lengths) {
                let interleaved = id < 0 ? 3 : Int(id)
                try file.write(UInt16(1))  // compression: RLE
                let length = try encoder.writeChannels(1, to: file) { y, _, row in
                    image.pixels.withUnsafeBufferPointer { pixels in
                        var index = y * width * 4 + interleaved
                        for x in 0..<width {
                            row[x] = pixels[index]
                            index += 4
                        }
                    }
                }
                // The channel's length counts its compression field too.
                try file.patch(UInt32(2 + length), at: lengthOffset)
            }
        }
        // Padded to a multiple of 4 (the spec asks for even; Photoshop writes 4).
        while (file.offset - layerInfoLength - 4) % 4 != 0 { try file.write(UInt8(0)) }
        try patchLength(of: file, at: layerInfoLength)
        try file.write(UInt32(0))  // global layer mask info: none
        try patchLength(of: file, at: sectionLength)

        // Image data: the composite, R, G, B, transparency, one RLE row-count table for all of them.
        try file.write(UInt16(1))
        _ = try encoder.writeChannels(4, to: file) { y, channel, row in
            composite.row(y, channel: channel, into: row)
        }
    }

    /// Patches the 4-byte length at `position` to count every byte written after it.
    private static func patchLength(of file: BigEndianFileWriter, at position: Int) throws {
        let length = file.offset - position - 4
        guard length <= Int(UInt32.max) else { throw PSDWriterError.fileTooLarge(bytes: length) }
        try file.patch(UInt32(length), at: position)
    }
}
