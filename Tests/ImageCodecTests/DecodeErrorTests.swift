import ImageCodec
import Testing

@Suite struct DecodeErrorTests {
    @Test func emptyAndText() {
        #expect(decodeError([]) == .empty)
        #expect(decodeError(Array("{\"not\": \"an image\"}".utf8)) == .notAnImage)
    }

    @Test func pngTruncatedMidIdat() throws {
        let png = try ImageEncoder.png(TestImages.noise(width: 64, height: 64))
        let idat = try #require(PNGBytes.find("IDAT", in: png))
        #expect(idat.length > 1000)
        #expect(decodeError(Array(png.prefix(idat.dataStart + idat.length / 2))) == .truncated)
    }

    @Test func pngWithAFlippedIdatByte() throws {
        var png = try ImageEncoder.png(TestImages.noise(width: 64, height: 64))
        let idat = try #require(PNGBytes.find("IDAT", in: png))
        png[idat.dataStart + idat.length / 2] ^= 0x10
        guard case .corrupt? = decodeError(png) else {
            Issue.record("expected .corrupt, got \(String(describing: decodeError(png)))")
            return
        }
    }

    @Test func pngIdatCrcMismatchAloneIsAnError() throws {
        // Stored deflate blocks with a recomputed Adler-32: zlib sees a
        // perfectly valid stream, so only the chunk CRC can catch the flip.
        let image = TestImages.gradient(width: 9, height: 7)
        let raw = PNGBytes.scanlines(image)
        var damaged = raw
        damaged[20] ^= 0x01
        let png = PNGBytes.signature + PNGBytes.ihdr(width: 9, height: 7)
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib(damaged), crcData: PNGBytes.storedZlib(raw))
            + PNGBytes.chunk("IEND", [])
        guard case .corrupt(let reason)? = decodeError(png) else {
            Issue.record("expected .corrupt, got \(String(describing: decodeError(png)))")
            return
        }
        #expect(reason.contains("CRC"), "\(reason)")
    }

    @Test func hugeDeclaredSizeIsRefusedBeforeDecoding() {
        // A 45-byte file (signature, IHDR, IEND) declaring 10¹⁰ pixels (40 GB of RGBA).
        let png = PNGBytes.signature + PNGBytes.ihdr(width: 100_000, height: 100_000) + PNGBytes.chunk("IEND", [])
        #expect(png.count == 45)
        let error = decodeError(png, maxPixels: 40_000_000)
        #expect(error == .tooManyPixels(width: 100_000, height: 100_000, limit: 40_000_000))
        #expect(error?.description.contains("100000×100000") == true)
    }

    @Test func maxPixelsIsInclusive() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 10, height: 10))
        #expect(try ImageDecoder.decode(png, maxPixels: 100).width == 10)
        #expect(decodeError(png, maxPixels: 99) == .tooManyPixels(width: 10, height: 10, limit: 99))
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 10, height: 10), quality: 80)
        #expect(decodeError(jpeg, maxPixels: 99) == .tooManyPixels(width: 10, height: 10, limit: 99))
    }

    @Test func jpegTruncatedMidScan() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.noise(width: 64, height: 64), quality: 90)
        #expect(decodeError(Array(jpeg.prefix(jpeg.count / 2))) == .truncated)
        #expect(decodeError(Array(jpeg.prefix(jpeg.count - 100))) == .truncated)
    }

    @Test func jpegTruncatedInHeader() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.noise(width: 16, height: 16), quality: 90)
        #expect(decodeError(Array(jpeg.prefix(60))) == .truncated)
    }

    @Test func jpegWithGarbageAfterSignature() {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF] + Array("this is not a marker segment at all".utf8)
        guard case .corrupt(let reason)? = decodeError(bytes) else {
            Issue.record("expected .corrupt, got \(String(describing: decodeError(bytes)))")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func messagesAreReadable() {
        #expect(ImageCodecError.empty.description == "no image data (0 bytes)")
        #expect(ImageCodecError.truncated.description.contains("ends early"))
        #expect(ImageCodecError.corrupt("CRC error").description == "the image data is corrupt: CRC error")
        #expect(
            ImageCodecError.tooManyPixels(width: 3, height: 2, limit: 5).description
                == "the image is 3×2 = 6 pixels, above the limit of 5")
    }
}
