import ImageCodec
import Testing

@Suite struct ResizerTests {
    @Test func fittedSizeRule() {
        // Longer side → maxSide, shorter side scaled and rounded to nearest.
        #expect(ImageResizer.fittedSize(width: 6000, height: 4000, maxSide: 1024) == (1024, 683))  // 682.67
        #expect(ImageResizer.fittedSize(width: 4000, height: 6000, maxSide: 1024) == (683, 1024))
        #expect(ImageResizer.fittedSize(width: 3000, height: 2001, maxSide: 1000) == (1000, 667))  // 667.0
        #expect(ImageResizer.fittedSize(width: 1025, height: 1025, maxSide: 1024) == (1024, 1024))
        // Minimum side 1.
        #expect(ImageResizer.fittedSize(width: 5000, height: 3, maxSide: 100) == (100, 1))
        #expect(ImageResizer.fittedSize(width: 9, height: 9, maxSide: 0) == (1, 1))
        // Already small enough: unchanged.
        #expect(ImageResizer.fittedSize(width: 800, height: 600, maxSide: 1024) == (800, 600))
        #expect(ImageResizer.fittedSize(width: 1024, height: 600, maxSide: 1024) == (1024, 600))
    }

    @Test func checkerboardAveragesToMidGrey() {
        let board = TestImages.grey(width: 4, height: 4, (0..<16).map { ($0 / 4 + $0 % 4) % 2 == 0 ? 0 : 255 })
        let small = ImageResizer.downscale(board, maxSide: 2)
        #expect(small.width == 2 && small.height == 2)
        // 127.5 rounds to nearest (half up).
        #expect(small.pixels == [UInt8](repeating: 0, count: 4).flatMap { _ in [128, 128, 128, 255] as [UInt8] })
    }

    @Test func fractionalCoverageForNonIntegerRatio() {
        // 3 → 2: output 0 covers source 0 fully and half of source 1;
        // (0·1 + 255·0.5) / 1.5 = 85, and symmetrically for output 1.
        let row = TestImages.grey(width: 3, height: 1, [0, 255, 0])
        let small = ImageResizer.downscale(row, maxSide: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [85, 85, 85, 255, 85, 85, 85, 255])
    }

    @Test func meanIsPreservedForAnyRatio() {
        // Every source pixel contributes exactly its area, so the mean level
        // survives 7×5 → 3×2 up to the final rounding of each output byte.
        let levels: [UInt8] = (0..<35).map { UInt8(($0 * 97 + 13) % 256) }
        let image = TestImages.grey(width: 7, height: 5, levels)
        let small = ImageResizer.downscale(image, maxSide: 3)
        #expect(small.width == 3 && small.height == 2)
        let sourceMean = Double(levels.reduce(0) { $0 + Int($1) }) / 35
        let outputMean = Double(stride(from: 0, to: small.pixels.count, by: 4).reduce(0) { $0 + Int(small.pixels[$1]) }) / 6
        #expect(abs(sourceMean - outputMean) <= 0.5, "\(sourceMean) vs \(outputMean)")
    }

    @Test func transparentPixelsDoNotDarkenEdges() {
        // Opaque red next to transparent black: the average is half-transparent
        // red, not dark red.
        let image = RasterImage(width: 2, height: 1, pixels: [255, 0, 0, 255, 0, 0, 0, 0])
        #expect(ImageResizer.downscale(image, maxSide: 1).pixels == [255, 0, 0, 128])
        let clear = RasterImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 16))
        #expect(ImageResizer.downscale(clear, maxSide: 1).pixels == [0, 0, 0, 0])
    }

    @Test func neverUpscales() {
        let image = TestImages.gradient(width: 100, height: 50)
        #expect(ImageResizer.downscale(image, maxSide: 1024) == image)
        #expect(ImageResizer.downscale(image, maxSide: 100) == image)
        let one = RasterImage(width: 1, height: 1, pixels: [1, 2, 3, 4])
        #expect(ImageResizer.downscale(one, maxSide: 1) == one)
        #expect(ImageResizer.downscale(one, maxSide: 0) == one)
    }

    @Test func thinImageKeepsAtLeastOnePixel() {
        let strip = TestImages.uniform(width: 5000, height: 3, rgba: [10, 200, 30, 255])
        let small = ImageResizer.downscale(strip, maxSide: 100)
        #expect(small.width == 100 && small.height == 1)
        #expect(small == TestImages.uniform(width: 100, height: 1, rgba: [10, 200, 30, 255]))
    }

    @Test func largePosterKeepsAspectRatio() {
        let poster = TestImages.uniform(width: 6000, height: 4000, rgba: [12, 34, 56, 255])
        let small = ImageResizer.downscale(poster, maxSide: 1024)
        #expect(small.width == 1024)
        #expect(small.height == Int((4000.0 * 1024 / 6000).rounded()))  // 683
        // Weights sum to one everywhere: a flat colour stays exactly flat.
        #expect(small == TestImages.uniform(width: 1024, height: 683, rgba: [12, 34, 56, 255]))
    }

    @Test func portraitKeepsAspectRatio() {
        // Same rule with the long side vertical (kept small: the 6000×4000
        // case above already covers size).
        let portrait = TestImages.noise(width: 400, height: 600)
        let small = ImageResizer.downscale(portrait, maxSide: 100)
        #expect(small.width == 67 && small.height == 100)  // 400 · 100 / 600 = 66.67
        #expect(!small.hasTransparency)
    }
}
