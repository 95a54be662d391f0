import ImageCodec
import Testing

/// `PNGIntegrity.check`: everything a full decode would refuse, without the pixels.
@Suite struct PNGIntegrityTests {
    /// The error `check` throws, or nil when the PNG passes.
    func checkError(_ bytes: [UInt8], maxPixels: Int = 1 << 24) -> ImageCodecError? {
        do {
            _ = try PNGIntegrity.check(bytes, maxPixels: maxPixels)
            return nil
        } catch {
            return error
        }
    }

    func isCorrupt(_ error: ImageCodecError?, mentioning text: String = "") -> Bool {
        guard case .corrupt(let reason)? = error else { return false }
        return text.isEmpty || reason.contains(text)
    }

    /// A PNG of stored (uncompressed) deflate blocks around `raw` scanlines, with
    /// every checksum right unless told otherwise.
    func storedPNG(width: UInt32, height: UInt32, raw: [UInt8], interlace: UInt8 = 0) -> [UInt8] {
        PNGBytes.signature
            + PNGBytes.chunk("IHDR", PNGBytes.bigEndian(width) + PNGBytes.bigEndian(height) + [8, 6, 0, 0, interlace])
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib(raw)) + PNGBytes.chunk("IEND", [])
    }

    @Test func aValidPNGPassesWithItsSize() throws {
        for image in [TestImages.noise(width: 64, height: 48), TestImages.gradient(width: 1, height: 1),
                      TestImages.gradient(width: 300, height: 7, alpha: { x, _ in UInt8(x % 256) })] {
            let header = try PNGIntegrity.check(try ImageEncoder.png(image), maxPixels: 1_000_000)
            #expect(header == ImageHeader(format: .png, width: image.width, height: image.height))
        }
    }

    @Test func theAdlerSumIsCheckedOverLongStreams() throws {
        // 100×100 RGBA is 40 100 scanline bytes: the vectorised sum, several reductions, and a tail.
        for side in [1, 3, 31, 100] {
            let raw = PNGBytes.scanlines(TestImages.noise(width: side, height: side))
            let png = storedPNG(width: UInt32(side), height: UInt32(side), raw: raw)
            #expect(checkError(png) == nil, "\(side)×\(side)")
            // The same stream with a wrong Adler-32 (and a matching chunk CRC).
            var zlib = PNGBytes.storedZlib(raw)
            zlib[zlib.count - 1] ^= 0x01
            let bad = PNGBytes.signature + PNGBytes.ihdr(width: UInt32(side), height: UInt32(side))
                + PNGBytes.chunk("IDAT", zlib) + PNGBytes.chunk("IEND", [])
            #expect(isCorrupt(checkError(bad), mentioning: "incorrect data check"), "\(side)×\(side)")
        }
    }

    /// The whole-buffer pass (libdeflate) gathers an IDAT run of many chunks into one stream:
    /// a stream split across chunks, at odd places, passes; damage in any of them, CRCs recomputed
    /// so it reaches the stream, is refused, with the streaming check's words.
    @Test func aStreamSplitAcrossManyIDATChunksIsCheckedWhole() throws {
        let image = TestImages.noise(width: 96, height: 80)
        let zlib = PNGBytes.storedZlib(PNGBytes.scanlines(image))
        func split(_ stream: [UInt8]) -> [UInt8] {
            var png = PNGBytes.signature + PNGBytes.ihdr(width: 96, height: 80)
            var start = 0
            for size in [1, 2, 3, 1000, 7] + Array(repeating: 4096, count: stream.count / 4096 + 1) where start < stream.count {
                let end = min(start + size, stream.count)
                png += PNGBytes.chunk("IDAT", Array(stream[start..<end]))
                start = end
            }
            return png + PNGBytes.chunk("IEND", [])
        }
        #expect(checkError(split(zlib)) == nil)
        var wrongSum = zlib
        wrongSum[wrongSum.count - 2] ^= 0x10
        #expect(isCorrupt(checkError(split(wrongSum)), mentioning: "incorrect data check"))
        #expect(checkError(split(Array(zlib.dropLast(40)))) == .truncated, "the stream cut short inside the run")
        #expect(isCorrupt(checkError(split(zlib + [0, 0])), mentioning: "after the end"))
    }

    @Test func aPNGCutShortIsTruncated() throws {
        let png = try ImageEncoder.png(TestImages.noise(width: 64, height: 64))
        let idat = try #require(PNGBytes.find("IDAT", in: png))
        #expect(checkError(Array(png.prefix(idat.dataStart + idat.length / 2))) == .truncated)
        #expect(checkError(Array(png.dropLast(12))) == .truncated, "no IEND")
        #expect(checkError(Array(png.prefix(5))) == .truncated, "inside the signature")
    }

    @Test func aFlippedBitAnywhereIsRefused() throws {
        let png = try ImageEncoder.png(TestImages.noise(width: 16, height: 16))
        // Every byte after the signature, one bit each: caught by a CRC or a structure check.
        for offset in 8..<png.count {
            var damaged = png
            damaged[offset] ^= 0x04
            #expect(checkError(damaged) != nil, "byte \(offset)")
        }
    }

    @Test func aCRCMismatchAloneIsAnError() {
        // Stored blocks and a recomputed Adler-32: only the chunk CRC can catch the flip.
        let raw = PNGBytes.scanlines(TestImages.gradient(width: 9, height: 7))
        var damaged = raw
        damaged[20] ^= 0x01
        let png = PNGBytes.signature + PNGBytes.ihdr(width: 9, height: 7)
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib(damaged), crcData: PNGBytes.storedZlib(raw))
            + PNGBytes.chunk("IEND", [])
        #expect(isCorrupt(checkError(png), mentioning: "CRC"))
        // An ancillary chunk's CRC counts too.
        let text = PNGBytes.chunk("tEXt", Array("Comment\u{0}hi".utf8), crcData: Array("Comment\u{0}ho".utf8))
        let withText = PNGBytes.signature + PNGBytes.ihdr(width: 9, height: 7) + text
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib(raw)) + PNGBytes.chunk("IEND", [])
        #expect(isCorrupt(checkError(withText), mentioning: "CRC"))
    }

    @Test func theScanlinesMustBeExactlyWhatTheHeaderDeclares() {
        let raw = PNGBytes.scanlines(TestImages.gradient(width: 5, height: 4))
        #expect(checkError(storedPNG(width: 5, height: 4, raw: raw)) == nil)
        #expect(checkError(storedPNG(width: 5, height: 4, raw: Array(raw.dropLast(21)))) == .truncated, "a row short")
        #expect(isCorrupt(checkError(storedPNG(width: 5, height: 4, raw: raw + [0] + [UInt8](repeating: 9, count: 20))),
                          mentioning: "more image data"))
        var badFilter = raw
        badFilter[21] = 5  // row 1's filter type
        #expect(isCorrupt(checkError(storedPNG(width: 5, height: 4, raw: badFilter)), mentioning: "filter type"))
    }

    @Test func anInterlacedPNGIsWalkedPassByPass() {
        // Adam7 for 5×3 RGBA: each pass that has pixels is its own run of filtered rows
        // (here all but pass 3, which starts at row 4).
        let width = 5, height = 3
        var raw: [UInt8] = []
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for (x0, y0, dx, dy) in passes {
            let columns = width > x0 ? (width - x0 + dx - 1) / dx : 0
            let rows = height > y0 ? (height - y0 + dy - 1) / dy : 0
            guard columns > 0 else { continue }
            for _ in 0..<rows { raw += [0] + [UInt8](repeating: 200, count: columns * 4) }
        }
        #expect(checkError(storedPNG(width: 5, height: 3, raw: raw, interlace: 1)) == nil)
        #expect(checkError(storedPNG(width: 5, height: 3, raw: raw, interlace: 0)) != nil, "the same bytes are the wrong size unlaced")
    }

    @Test func aBombIsRefusedFromItsHeaderBeforeAnyInflating() {
        let png = PNGBytes.signature + PNGBytes.ihdr(width: 100_000, height: 100_000) + PNGBytes.chunk("IEND", [])
        #expect(checkError(png, maxPixels: 40_000_000) == .tooManyPixels(width: 100_000, height: 100_000, limit: 40_000_000))
    }

    @Test func chunkOrderAndHeaderAreChecked() {
        let raw = PNGBytes.scanlines(TestImages.gradient(width: 3, height: 2))
        let ihdr = PNGBytes.ihdr(width: 3, height: 2), idat = PNGBytes.chunk("IDAT", PNGBytes.storedZlib(raw))
        let iend = PNGBytes.chunk("IEND", [])
        #expect(isCorrupt(checkError(PNGBytes.signature + idat + ihdr + iend), mentioning: "IHDR"))
        #expect(isCorrupt(checkError(PNGBytes.signature + ihdr + iend), mentioning: "no IDAT"))
        #expect(isCorrupt(checkError(PNGBytes.signature + ihdr + PNGBytes.chunk("QRST", [1]) + idat + iend),
                          mentioning: "unknown critical chunk"))
        // Ancillary chunks anywhere are fine.
        #expect(checkError(PNGBytes.signature + ihdr + PNGBytes.chunk("qrSt", [1]) + idat + PNGBytes.chunk("tIME", [0, 1, 2, 3, 4, 5, 6]) + iend) == nil)
        let badDepth = PNGBytes.chunk("IHDR", PNGBytes.bigEndian(3) + PNGBytes.bigEndian(2) + [7, 6, 0, 0, 0])
        #expect(isCorrupt(checkError(PNGBytes.signature + badDepth + idat + iend), mentioning: "bit depth"))
        #expect(checkError(Array("not a png".utf8)) == .notAnImage)
        #expect(checkError([]) == .empty)
    }

    /// Differential: damage that libpng's full decode refuses is refused here
    /// too. The CRCs are recomputed after each change so the damage reaches
    /// zlib and the scanline layout rather than stopping at the CRC check.
    @Test func refusesWhateverAFullDecodeRefuses() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 40, height: 30, alpha: { x, y in UInt8((x * y) % 256) }))
        let idat = try #require(PNGBytes.find("IDAT", in: png))
        var state: UInt32 = 2024
        func next() -> Int {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Int(state >> 8)
        }
        var refusedByDecode = 0
        for _ in 0..<400 {
            var data = Array(png[idat.dataStart..<(idat.dataStart + idat.length)])
            for _ in 0..<(1 + next() % 3) { data[next() % data.count] ^= UInt8(1 << (next() % 8)) }
            let damaged = Array(png[..<(idat.dataStart - 8)]) + PNGBytes.chunk("IDAT", data)
                + Array(png[(idat.dataStart + idat.length + 4)...])
            if decodeError(damaged) != nil {
                refusedByDecode += 1
                #expect(checkError(damaged) != nil, "libpng refuses \(data) but the check passes it")
            }
        }
        #expect(refusedByDecode > 100, "the damage must reach the decoder's checks")
    }
}

@Suite struct TransparencyScanTests {
    @Test func everyPixelIsLookedAtIncludingAnOddLastOne() {
        for width in 1...5 {
            let opaque = TestImages.gradient(width: width, height: 1)
            #expect(!opaque.hasTransparency, "\(width)")
            for x in 0..<width {
                let image = TestImages.gradient(width: width, height: 1, alpha: { px, _ in px == x ? 254 : 255 })
                #expect(image.hasTransparency, "\(width) wide, pixel \(x)")
            }
        }
    }
}

@Suite struct ReducedJPEGDecodeTests {
    @Test func aLargeJPEGDecodesAtTheLargestReductionThatKeepsTheLongSide() throws {
        let jpeg = try ImageEncoder.jpeg(TestImages.gradient(width: 200, height: 150), quality: 90)
        func size(_ longSide: Int?) throws -> [Int] {
            let image = try ImageDecoder.decode(jpeg, maxPixels: 1_000_000, keepingLongSideAtLeast: longSide)
            return [image.width, image.height]
        }
        #expect(try size(nil) == [200, 150])
        #expect(try size(200) == [200, 150])
        #expect(try size(100) == [100, 75], "1/2")
        #expect(try size(99) == [100, 75], "1/4 would be 50 wide")
        #expect(try size(50) == [50, 38], "1/4, sides rounded up")
        #expect(try size(1) == [25, 19], "never below 1/8")
        // The pixel cap is the full size's: a bomb is not let through by decoding it small.
        #expect(throws: ImageCodecError.tooManyPixels(width: 200, height: 150, limit: 29_999)) {
            try ImageDecoder.decode(jpeg, maxPixels: 29_999, keepingLongSideAtLeast: 10)
        }
        // A reduced decode is the same picture: colours stay close to the full decode's average.
        let full = try ImageDecoder.decode(jpeg, maxPixels: 1_000_000)
        let half = try ImageDecoder.decode(jpeg, maxPixels: 1_000_000, keepingLongSideAtLeast: 100)
        for (x, y) in [(10, 10), (50, 37), (90, 70)] {
            let a = TestImages.pixel(half, x, y), b = TestImages.pixel(full, x * 2, y * 2)
            #expect(zip(a, b).allSatisfy { abs(Int($0) - Int($1)) <= 12 }, "\(a) vs \(b)")
        }
    }

    @Test func aPNGIgnoresTheHint() throws {
        let png = try ImageEncoder.png(TestImages.gradient(width: 64, height: 32))
        let image = try ImageDecoder.decode(png, maxPixels: 10_000, keepingLongSideAtLeast: 8)
        #expect(image.width == 64 && image.height == 32)
    }
}
