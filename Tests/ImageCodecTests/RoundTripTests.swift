import ImageCodec
import Testing

@Suite struct RoundTripTests {
    @Test func pngWithAlphaIsLossless() throws {
        // Alpha from 0 to 255 across the image, including fully transparent
        // pixels that still carry a colour (straight alpha keeps it).
        let image = TestImages.gradient(width: 53, height: 29) { x, y in UInt8((x * 5 + y) % 256) }
        #expect(image.hasTransparency)
        let decoded = try ImageDecoder.decode(try ImageEncoder.png(image), maxPixels: 10_000)
        #expect(decoded == image)
        #expect(decoded.hasTransparency)
    }

    @Test func opaquePngIsLosslessAndOpaque() throws {
        let image = TestImages.noise(width: 40, height: 31)
        let encoded = try ImageEncoder.png(image)
        #expect(Array(encoded.prefix(8)) == PNGBytes.signature)
        let decoded = try ImageDecoder.decode(encoded, maxPixels: 40 * 31)
        #expect(decoded == image)
        #expect(!decoded.hasTransparency)
    }

    @Test func jpegIsCloseToTheOriginal() throws {
        // 97×61: neither side a multiple of the 8/16-pixel JPEG blocks.
        let image = TestImages.gradient(width: 97, height: 61)
        let encoded = try ImageEncoder.jpeg(image, quality: 95)
        #expect(Array(encoded.prefix(3)) == [0xFF, 0xD8, 0xFF])
        let decoded = try ImageDecoder.decode(encoded, maxPixels: 97 * 61)
        #expect(decoded.width == 97 && decoded.height == 61)
        #expect(!decoded.hasTransparency)
        var total = 0, worst = 0
        for i in image.pixels.indices where i % 4 != 3 {
            let difference = abs(Int(image.pixels[i]) - Int(decoded.pixels[i]))
            total += difference
            worst = max(worst, difference)
        }
        let mean = Double(total) / Double(97 * 61 * 3)
        #expect(mean < 2.0, "mean error \(mean)")
        #expect(worst <= 16, "worst error \(worst)")
    }

    @Test func jpegQualityTradesSizeForFidelity() throws {
        let image = TestImages.noise(width: 64, height: 64)
        let low = try ImageEncoder.jpeg(image, quality: 10)
        let high = try ImageEncoder.jpeg(image, quality: 100)
        #expect(low.count < high.count)
        // Out-of-range qualities are clamped, not rejected.
        #expect(try ImageEncoder.jpeg(image, quality: 0) == ImageEncoder.jpeg(image, quality: 1))
        #expect(try ImageEncoder.jpeg(image, quality: 500) == high)
    }

    @Test func jpegDropsAlpha() throws {
        let image = TestImages.gradient(width: 16, height: 16) { x, _ in x < 8 ? 0 : 128 }
        let decoded = try ImageDecoder.decode(try ImageEncoder.jpeg(image, quality: 90), maxPixels: 256)
        #expect(!decoded.hasTransparency)
        #expect(stride(from: 3, to: decoded.pixels.count, by: 4).allSatisfy { decoded.pixels[$0] == 255 })
    }

    @Test func onePixelImages() throws {
        let image = RasterImage(width: 1, height: 1, pixels: [200, 100, 50, 77])
        let png = try ImageDecoder.decode(try ImageEncoder.png(image), maxPixels: 1)
        #expect(png == image)
        let jpeg = try ImageDecoder.decode(try ImageEncoder.jpeg(image, quality: 100), maxPixels: 1)
        #expect(jpeg.width == 1 && jpeg.height == 1)
        let expected: [UInt8] = [200, 100, 50]
        for channel in 0..<3 {
            #expect(abs(Int(jpeg.pixels[channel]) - Int(expected[channel])) <= 3)
        }
        #expect(jpeg.pixels[3] == 255)
    }

    @Test func handBuiltUncompressedPngDecodes() throws {
        // Validates the test's own PNG builder, which the CRC test relies on.
        let image = TestImages.gradient(width: 9, height: 7) { x, _ in UInt8(x * 28) }
        #expect(try ImageDecoder.decode(PNGBytes.uncompressed(image), maxPixels: 63) == image)
    }

    @Test func jpegMissingOnlyItsEndMarkerIsAccepted() throws {
        // Some encoders omit the final EOI; all scan data is there, so the
        // image is complete and decodes like the intact file.
        let encoded = try ImageEncoder.jpeg(TestImages.noise(width: 48, height: 40), quality: 90)
        #expect(Array(encoded.suffix(2)) == [0xFF, 0xD9])
        let intact = try ImageDecoder.decode(encoded, maxPixels: 48 * 40)
        let withoutEOI = try ImageDecoder.decode(Array(encoded.dropLast(2)), maxPixels: 48 * 40)
        #expect(withoutEOI == intact)
    }
}
