import ImageCodec

/// The flat image of a PSD: the layers composited bottom to top with "over" (straight alpha in,
/// like the PNGs), one layer at a time, so only this buffer outlives a layer.
///
/// Kept premultiplied in 16 bits per channel (colour × alpha and alpha × 255, both 0...65025;
/// 8 bytes a pixel): an 8-bit accumulation would round at every layer and drift by up to half a
/// level per layer, while this one stays within a fraction of a level of the exact composite.
struct CompositeAccumulator {
    let width: Int
    let height: Int
    private var premultiplied: [UInt16]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        premultiplied = [UInt16](repeating: 0, count: width * height * 4)
    }

    /// Composites `layer` (the canvas's size) over what is there.
    mutating func add(_ layer: RasterImage) {
        precondition(layer.width == width && layer.height == height, "a composited layer has the canvas's size")
        layer.pixels.withUnsafeBufferPointer { source in
            premultiplied.withUnsafeMutableBufferPointer { target in
                for pixel in stride(from: 0, to: source.count, by: 4) {
                    let alpha = UInt32(source[pixel + 3])
                    if alpha == 0 { continue }
                    let remaining = 255 - alpha
                    for channel in 0..<3 {
                        let below = (UInt32(target[pixel + channel]) * remaining + 127) / 255
                        target[pixel + channel] = UInt16(UInt32(source[pixel + channel]) * alpha + below)
                    }
                    let below = (UInt32(target[pixel + 3]) * remaining + 127) / 255
                    target[pixel + 3] = UInt16(alpha * 255 + below)
                }
            }
        }
    }

    /// One row of one channel of the composite as a PSD stores it: channel 3 is the alpha; 0...2 are
    /// the colour composited over white, which is how Photoshop stores the merged image of a document
    /// with transparency, and what readers (psd-tools, GIMP) undo with the alpha.
    func row(_ y: Int, channel: Int, into output: UnsafeMutableBufferPointer<UInt8>) {
        premultiplied.withUnsafeBufferPointer { values in
            var index = y * width * 4
            for x in 0..<width {
                let alpha = UInt32(values[index + 3])
                output[x] =
                    channel == 3
                    ? UInt8((alpha + 127) / 255)
                    : UInt8((UInt32(values[index + channel]) + 65025 - alpha + 127) / 255)
                index += 4
            }
        }
    }
}
