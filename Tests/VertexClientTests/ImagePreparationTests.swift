import Foundation
import ImageCodec
import Testing
import VertexClient

@Suite struct ImagePreparationTests {
    static func photo(width: Int, height: Int, alpha: Bool = false) -> RasterImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                pixels[i] = UInt8((x * 7 + y * 3) & 0xFF)
                pixels[i + 1] = UInt8((x * y) & 0xFF)
                pixels[i + 2] = UInt8((x ^ y) & 0xFF)
                if alpha { pixels[i + 3] = x < width / 2 ? 0 : 255 }
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    @Test func aLargeOpaquePosterIsDownscaledAndSentAsJPEG() throws {
        let upload = try ImageEncoder.jpeg(Self.photo(width: 6000, height: 4000), quality: 90)
        let prepared = try ImagePreparation.prepare(upload, resolution: 1024, layers: 5, maxRequestBytes: 10_000_000, maxPixels: 50_000_000)
        #expect(prepared.format == .jpeg)
        #expect(max(prepared.width, prepared.height) == 1024)
        #expect(abs(Double(prepared.width) / Double(prepared.height) - 1.5) < 0.01, "aspect ratio kept")
        #expect(prepared.bytesSaved > 0)
        let header = try ImageHeader.probe(prepared.bytes)
        #expect(header.width == prepared.width && header.height == prepared.height)
    }

    @Test func transparencyIsKeptAsPNG() throws {
        let upload = try ImageEncoder.png(Self.photo(width: 300, height: 200, alpha: true))
        let prepared = try ImagePreparation.prepare(upload, resolution: 640, layers: 5, maxRequestBytes: 10_000_000, maxPixels: 50_000_000)
        #expect(prepared.format == .png)
        #expect(prepared.width == 300 && prepared.height == 200, "never upscaled")
        let decoded = try ImageDecoder.decode(prepared.bytes, maxPixels: 1_000_000)
        #expect(decoded.hasTransparency)
    }

    @Test func aOnePixelImageSurvives() throws {
        let upload = try ImageEncoder.png(Self.photo(width: 1, height: 1))
        let prepared = try ImagePreparation.prepare(upload, resolution: 1024, layers: 2, maxRequestBytes: 1_500_000, maxPixels: 50_000_000)
        #expect(prepared.width == 1 && prepared.height == 1)
    }

    @Test func qualityThenSizeIsLoweredUntilTheRequestFits() throws {
        let upload = try ImageEncoder.jpeg(Self.photo(width: 2000, height: 2000), quality: 95)
        let limit = 60_000
        let prepared = try ImagePreparation.prepare(upload, resolution: 1024, layers: 5, maxRequestBytes: limit, maxPixels: 50_000_000)
        #expect(PredictionRequest(image: prepared.bytes, layers: 5, resolution: 1024).bodyByteCount <= limit)
        #expect(prepared.note.hasPrefix("JPEG q") && prepared.note != "JPEG q85", "the fit is recorded: \(prepared.note)")
    }

    @Test func anImageThatCannotFitFailsBeforeAnyCall() throws {
        let upload = try ImageEncoder.png(Self.photo(width: 200, height: 200))
        #expect {
            try ImagePreparation.prepare(upload, resolution: 1024, layers: 5, maxRequestBytes: 100, maxPixels: 50_000_000)
        } throws: { error in
            (error as? VertexError)?.code == .requestTooLarge
        }
    }

    @Test func anUnreadableUploadIsAFinalError() {
        #expect {
            try ImagePreparation.prepare(Array("not an image".utf8), resolution: 1024, layers: 5, maxRequestBytes: 1_500_000, maxPixels: 50_000_000)
        } throws: { error in
            guard let error = error as? VertexError else { return false }
            return error.code == .invalidImage && !error.isRetryable
        }
    }
}

@Suite struct LayerValidationTests {
    let layer = (try? ImageEncoder.png(ImagePreparationTests.photo(width: 32, height: 16, alpha: true))) ?? []

    @Test func validLayersKeepTheirBytesAndReportTheirSize() throws {
        let validated = try LayerValidation.validate([layer, layer], maxPixels: 1_000_000)
        #expect(validated.count == 2)
        #expect(validated[0].png == layer)
        #expect(validated[0].width == 32 && validated[0].height == 16)
    }

    @Test func nonPNGBytesAreNamedByLayer() throws {
        let jpeg = try ImageEncoder.jpeg(ImagePreparationTests.photo(width: 8, height: 8), quality: 80)
        for bad in [Array("hello".utf8), jpeg] {
            #expect {
                try LayerValidation.validate([layer, bad], maxPixels: 1_000_000)
            } throws: { error in
                guard let error = error as? VertexError else { return false }
                return error.code == .invalidLayers && error.message.contains("layer 1")
            }
        }
    }

    @Test func aPNGBombIsRefusedFromItsHeader() throws {
        #expect {
            try LayerValidation.validate([layer], maxPixels: 100)
        } throws: { error in
            (error as? VertexError)?.message.contains("layer 0") == true
        }
    }

    @Test func aCorruptedPNGIsRefused() throws {
        var corrupt = layer
        corrupt[corrupt.count - 20] ^= 0xFF  // inside IDAT: its CRC no longer matches
        #expect(throws: VertexError.self) { try LayerValidation.validate([corrupt], maxPixels: 1_000_000) }
    }
}
