import Foundation
import ImageCodec
import SystemSupport
import TestSupport

@testable import Exports

/// Layers to export, written as PNG files in a folder of their own: an opaque background and
/// layers with every kind of alpha (0, 255 and in between), flat areas (long PackBits runs) and
/// noise (literals).
struct PSDLayerFixtures {
    let folder: URL
    let images: [RasterImage]
    let source: ExportSource

    init(width: Int, height: Int, count: Int = 4, names: [String]? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("psd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: UInt64(width * 31 + height))
        var images = [TestImages.gradient(width: width, height: height, seed: 1)]
        for index in 1..<count {
            images.append(Self.layer(width: width, height: height, index: index, using: &generator))
        }
        var layers: [ExportLayer] = []
        for (index, image) in images.enumerated() {
            let path = folder.appendingPathComponent("layer_\(index).png").path
            try Data(ImageEncoder.png(image)).write(to: URL(fileURLWithPath: path))
            layers.append(ExportLayer(index: index, name: names?[index] ?? "Layer \(index)", path: path))
        }
        self.images = images
        source = ExportSource(jobID: UUID(), layers: layers)
    }

    /// A rectangle of one colour and partial alpha, noise with random alpha in a band, the rest
    /// transparent (colour left in it, as a model's layers have).
    static func layer(width: Int, height: Int, index: Int, using generator: inout SeededGenerator) -> RasterImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                if (x + index * 3) % width < width / 2 && y < height * 2 / 3 {
                    pixels[i..<i + 4] = [UInt8(40 * index), 200, UInt8(255 - 50 * index), UInt8((90 + 37 * index) % 250 + 5)]
                } else if y % 5 == index % 5 {
                    for channel in 0..<4 { pixels[i + channel] = UInt8.random(in: 0...255, using: &generator) }
                } else {
                    pixels[i..<i + 4] = [UInt8(x % 256), UInt8(y % 256), 7, 0]
                }
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// The composite a PSD stores: "over" in exact arithmetic, colour matted over white, rounded.
func expectedComposite(_ images: [RasterImage]) -> [[UInt8]] {
    let count = images[0].width * images[0].height
    var planes = [[UInt8]](repeating: [UInt8](repeating: 0, count: count), count: 4)
    for pixel in 0..<count {
        var color = [0.0, 0.0, 0.0]
        var alpha = 0.0
        for image in images {
            let a = Double(image.pixels[pixel * 4 + 3]) / 255
            for channel in 0..<3 {
                color[channel] = Double(image.pixels[pixel * 4 + channel]) / 255 * a + color[channel] * (1 - a)
            }
            alpha = a + alpha * (1 - a)
        }
        for channel in 0..<3 { planes[channel][pixel] = UInt8(((color[channel] + 1 - alpha) * 255).rounded()) }
        planes[3][pixel] = UInt8((alpha * 255).rounded())
    }
    return planes
}
