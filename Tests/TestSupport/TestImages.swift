import ImageCodec

/// Small synthetic images for tests: a horizontal red and vertical green
/// gradient, blue from the seed; with `alpha`, a checkerboard of opaque and
/// transparent pixels.
public enum TestImages {
    public static func gradient(width: Int, height: Int, alpha: Bool = false, seed: Int = 0) -> RasterImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                pixels[i] = UInt8((x * 255) / max(width - 1, 1))
                pixels[i + 1] = UInt8((y * 255) / max(height - 1, 1))
                pixels[i + 2] = UInt8((seed * 60) % 256)
                pixels[i + 3] = alpha ? UInt8((x + y + seed) % 2 == 0 ? 255 : 0) : 255
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }
}
