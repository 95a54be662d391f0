import ImageCodec
import Testing

@Suite struct ProbeTests {
    @Test func pngDimensions() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 37, height: 19))
        #expect(try ImageHeader.probe(png) == ImageHeader(format: .png, width: 37, height: 19))
    }

    @Test func jpegDimensions() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 37, height: 19), quality: 80)
        #expect(try ImageHeader.probe(jpeg) == ImageHeader(format: .jpeg, width: 37, height: 19))
    }

    @Test func onePixel() throws {
        let image = RasterImage(width: 1, height: 1, pixels: [0, 0, 0, 255])
        #expect(try ImageHeader.probe(ImageEncoder.png(image)) == ImageHeader(format: .png, width: 1, height: 1))
        #expect(
            try ImageHeader.probe(ImageEncoder.jpeg(image, quality: 80))
                == ImageHeader(format: .jpeg, width: 1, height: 1))
    }

    @Test func readsOnlyTheHeader() throws {
        // Signature + IHDR alone (no pixel data at all) is enough to probe.
        let headerOnly = PNGBytes.signature + PNGBytes.ihdr(width: 100_000, height: 100_000)
        let header = try ImageHeader.probe(headerOnly)
        #expect(header == ImageHeader(format: .png, width: 100_000, height: 100_000))
        #expect(header.pixelCount == 10_000_000_000)
    }

    @Test func truncatedPngHeader() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 8, height: 8))
        #expect(probeError(Array(png.prefix(20))) == .truncated)  // inside IHDR
        #expect(probeError(Array(png.prefix(4))) == .truncated)  // inside the signature
    }

    @Test func truncatedJpegHeader() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 8, height: 8), quality: 80)
        for length in [2, 30, 100] {
            #expect(probeError(Array(jpeg.prefix(length))) == .truncated, "first \(length) bytes")
        }
    }

    @Test func corruptIhdrCrc() {
        var png = PNGBytes.signature + PNGBytes.ihdr(width: 10, height: 10)
        png[16 + 3] ^= 0x01  // width 10 → 11, CRC unchanged
        guard case .corrupt(let reason)? = probeError(png) else {
            Issue.record("expected .corrupt")
            return
        }
        #expect(reason.contains("CRC"))
    }

    @Test func notImages() {
        #expect(probeError([]) == .empty)
        #expect(probeError(Array("hello, this is plain text".utf8)) == .notAnImage)
        #expect(probeError(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 40)) == .notAnImage)
    }

    @Test func mimeTypes() {
        #expect(ImageFormat.png.mimeType == "image/png")
        #expect(ImageFormat.jpeg.mimeType == "image/jpeg")
    }
}
