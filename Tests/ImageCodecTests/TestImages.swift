import ImageCodec

/// Images generated in code, so the tests need no fixture files.
enum TestImages {
    /// Smooth colour ramps (JPEG-friendly); `alpha` per pixel, opaque by default.
    static func gradient(
        width: Int, height: Int, alpha: (Int, Int) -> UInt8 = { _, _ in 255 }
    ) -> RasterImage {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                pixels.append(UInt8(x * 255 / max(width - 1, 1)))
                pixels.append(UInt8(y * 255 / max(height - 1, 1)))
                pixels.append(UInt8((x + y) * 255 / max(width + height - 2, 1)))
                pixels.append(alpha(x, y))
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// Deterministic pseudo-random opaque pixels (a fixed LCG), so compressed
    /// data is large and every byte of it matters.
    static func noise(width: Int, height: Int, seed: UInt32 = 12345) -> RasterImage {
        var state = seed
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for i in pixels.indices where i % 4 != 3 {
            state = state &* 1_664_525 &+ 1_013_904_223
            pixels[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// One colour everywhere; built as 32-bit words so 6000×4000 is quick.
    static func uniform(width: Int, height: Int, rgba: [UInt8]) -> RasterImage {
        let word = rgba.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let words = [UInt32](repeating: word, count: width * height)
        return RasterImage(width: width, height: height, pixels: words.withUnsafeBytes { Array($0) })
    }

    /// Grey pixels from a row-major list of grey levels, opaque.
    static func grey(width: Int, height: Int, _ levels: [UInt8]) -> RasterImage {
        RasterImage(width: width, height: height, pixels: levels.flatMap { [$0, $0, $0, 255] })
    }

    static func pixel(_ image: RasterImage, _ x: Int, _ y: Int) -> [UInt8] {
        let start = (y * image.width + x) * 4
        return Array(image.pixels[start..<start + 4])
    }
}

/// The error `decode` throws, or nil when it succeeds.
func decodeError(_ bytes: [UInt8], maxPixels: Int = 1 << 24) -> ImageCodecError? {
    do {
        _ = try ImageDecoder.decode(bytes, maxPixels: maxPixels)
        return nil
    } catch {
        return error
    }
}

/// The error `probe` throws, or nil when it succeeds.
func probeError(_ bytes: [UInt8]) -> ImageCodecError? {
    do {
        _ = try ImageHeader.probe(bytes)
        return nil
    } catch {
        return error
    }
}
