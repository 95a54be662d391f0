import Foundation
import ImageCodec
import SystemSupport

/// The layers a model returns for a photograph, as the reference system measured them: five
/// RGBA 1024 × 1024 PNGs of about 1.9 MB, 291, 490, 353 and 120 KiB. Layer 0 is an opaque noisy
/// background; each other one an opaque noisy band over transparency, its height what gives its
/// size. Noise (a seeded generator, so every run has the same bytes) is what makes a photo's
/// layers costly: the zlib stream holds few matches, and the full check inflates 4 MiB a layer.
enum PhotoLayers {
    /// Fraction of the image each layer covers: the band's share of the rows.
    static let coverage: [Double] = [1.0, 0.154, 0.26, 0.187, 0.063]

    static func pngs(side: Int = 1024) throws -> [[UInt8]] {
        var generator = SeededGenerator(seed: 23)
        return try coverage.enumerated().map { index, share in
            var pixels = [UInt8](repeating: 0, count: side * side * 4)
            let rows = Int((Double(side) * share).rounded())
            let top = index == 0 ? 0 : (side - rows) * index / coverage.count
            for y in top..<(top + rows) {
                for x in 0..<side {
                    let offset = (y * side + x) * 4
                    let noise = generator.next()
                    pixels[offset] = UInt8(truncatingIfNeeded: x / 4 + index * 40) &+ UInt8(truncatingIfNeeded: noise & 0x0F)
                    pixels[offset + 1] = UInt8(truncatingIfNeeded: y / 4) &+ UInt8(truncatingIfNeeded: (noise >> 8) % 10)
                    pixels[offset + 2] = UInt8(truncatingIfNeeded: (x + y) / 8) &+ UInt8(truncatingIfNeeded: (noise >> 16) & 0x07)
                    pixels[offset + 3] = 255
                }
            }
            return try ImageEncoder.png(RasterImage(width: side, height: side, pixels: pixels))
        }
    }

    /// The endpoint's reply body for `layers`: `{"predictions":[{"layers":["<base64>", …]}]}`.
    static func replyBody(_ layers: [[UInt8]]) -> [UInt8] {
        Array(#"{"predictions":[{"layers":[\#(layers.map { "\"\(Data($0).base64EncodedString())\"" }.joined(separator: ","))]}]}"#.utf8)
    }

    /// `--shape photo` gives the photo-like layers, anything else (the default, `poster`) five
    /// copies of the poster-like one the cases have always used; the label goes into figure names.
    static func selected(poster: () throws -> [UInt8]) throws -> (layers: [[UInt8]], label: String) {
        if stringOption("--shape") == "photo" { return (try pngs(), "_photo") }
        return (Array(repeating: try poster(), count: 5), "")
    }
}
