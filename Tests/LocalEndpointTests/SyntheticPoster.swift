import ImageCodec

/// Poster-like test images made in code: what the decomposition must handle
/// — a background gradient, a subject, lines of "text" — and the corner
/// cases (flat colour, transparency).
enum SyntheticPoster {
    /// A vertical blue-to-purple gradient, a round orange subject with a
    /// darker rim, a white title bar of letter-like blocks and a small red
    /// subtitle; opaque.
    static func poster(width: Int = 240, height: Int = 320) -> RasterImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        let centre = (x: Double(width) * 0.5, y: Double(height) * 0.55)
        let radius = Double(min(width, height)) * 0.28
        for y in 0..<height {
            for x in 0..<width {
                let t = Double(y) / Double(max(height - 1, 1))
                var colour = (r: 30 + 90 * t, g: 40 + 10 * t, b: 160 - 40 * t)
                let distance = ((Double(x) - centre.x) * (Double(x) - centre.x) + (Double(y) - centre.y) * (Double(y) - centre.y)).squareRoot()
                if distance < radius {
                    let shade = distance / radius
                    colour = shade > 0.85 ? (140, 60, 20) : (250 - 40 * shade, 150 - 30 * shade, 40)
                }
                // Title: letter-like blocks with gaps between them, in the top tenth.
                let titleTop = height / 12, titleBottom = titleTop + max(height / 14, 3)
                if (titleTop..<titleBottom).contains(y), x >= width / 10, x < width * 9 / 10, (x / max(width / 24, 2)) % 3 != 2 {
                    colour = (245, 245, 240)
                }
                // Subtitle: a thin red line of "words" near the bottom.
                let subtitleTop = height * 7 / 8
                if (subtitleTop..<subtitleTop + max(height / 60, 2)).contains(y), x >= width / 4, x < width * 3 / 4, (x / 7) % 4 != 3 {
                    colour = (220, 30, 40)
                }
                let offset = (y * width + x) * 4
                pixels[offset] = UInt8(colour.r.rounded())
                pixels[offset + 1] = UInt8(colour.g.rounded())
                pixels[offset + 2] = UInt8(colour.b.rounded())
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// Two flat colours: fewer colours than most layer counts asked for.
    static func twoColours(width: Int = 64, height: Int = 48) -> RasterImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width where x > width / 3 && x < width * 2 / 3 && y > height / 3 {
                let offset = (y * width + x) * 4
                pixels[offset] = 10
                pixels[offset + 1] = 10
                pixels[offset + 2] = 10
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// A logo on a transparent canvas with a soft (partly transparent) edge.
    static func transparentLogo(width: Int = 80, height: Int = 60) -> RasterImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x - width / 2), dy = Double(y - height / 2)
                let distance = (dx * dx + dy * dy).squareRoot()
                let alpha = max(0, min(1, 20 - distance / 1.2))  // opaque core, 1 px soft edge
                guard alpha > 0 else { continue }
                let offset = (y * width + x) * 4
                pixels[offset] = x < width / 2 ? 200 : 20
                pixels[offset + 1] = 120
                pixels[offset + 2] = x < width / 2 ? 20 : 200
                pixels[offset + 3] = UInt8((alpha * 255).rounded())
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }
}
