import Foundation
import ImageCodec
import LocalEndpoint
import Testing

/// The decomposition's promises: the count asked for, every layer holding
/// something, background first, the same layers every time, and layers that
/// stack back into the poster.
@Suite struct LocalDecomposerTests {
    @Test(arguments: [1, 2, 3, 5, 10])
    func givesTheLayerCountAskedForAtTheImagesSize(layers: Int) throws {
        let poster = SyntheticPoster.poster()
        let result = try LocalDecomposer.decompose(poster, layers: layers)
        #expect(result.count == layers)
        #expect(result.allSatisfy { $0.width == poster.width && $0.height == poster.height })
    }

    @Test(arguments: [2, 5, 10, 20])
    func everyLayerHasVisiblePixelsEvenWithFewerColoursThanLayers(layers: Int) throws {
        for image in [SyntheticPoster.poster(), SyntheticPoster.twoColours(), SyntheticPoster.transparentLogo()] {
            let result = try LocalDecomposer.decompose(image, layers: layers)
            let visible = result.map(Compositing.visiblePixels)
            #expect(visible.allSatisfy { $0 > 0 }, "visible pixels per layer: \(visible)")
        }
    }

    @Test func aFlatImageIsSplitIntoAsManyNonEmptyLayers() throws {
        let flat = RasterImage(width: 9, height: 7, pixels: [UInt8](repeating: 128, count: 9 * 7 * 4))
        let result = try LocalDecomposer.decompose(flat, layers: 6)
        #expect(result.count == 6)
        #expect(result.map(Compositing.visiblePixels).allSatisfy { $0 > 0 })
        #expect(Compositing.psnr(result, against: flat) >= 35)
    }

    @Test func theSameInputGivesTheSameLayers() throws {
        let poster = SyntheticPoster.poster()
        let first = try LocalDecomposer.decompose(poster, layers: 5)
        let second = try LocalDecomposer.decompose(poster, layers: 5)
        #expect(first == second)
        let otherSeed = try LocalDecomposer.decompose(poster, layers: 5, seed: 99)
        #expect(try LocalDecomposer.decompose(poster, layers: 5, seed: 99) == otherSeed)
    }

    @Test(arguments: [2, 4, 6])
    func theLayersCompositeBackIntoThePoster(layers: Int) throws {
        let poster = SyntheticPoster.poster()
        let result = try LocalDecomposer.decompose(poster, layers: layers)
        #expect(Compositing.psnr(result, against: poster) >= 35)
        // As the worker sends it: JPEG, with its noise and blur.
        let jpeg = try ImageDecoder.decode(try ImageEncoder.jpeg(poster, quality: 85), maxPixels: 1 << 20)
        #expect(Compositing.psnr(try LocalDecomposer.decompose(jpeg, layers: layers), against: jpeg) >= 35)
        // A stand-in that returned the poster as layer 0 and blank layers would pass the PSNR alone:
        let first = result[0]
        #expect(result.count == 1 || first.pixels != poster.pixels)
    }

    @Test func aTransparentImageCompositesBackWithItsAlpha() throws {
        let logo = SyntheticPoster.transparentLogo()
        let result = try LocalDecomposer.decompose(logo, layers: 3)
        #expect(Compositing.psnr(result, against: logo) >= 35)
        // Nothing opaque is invented where the canvas is empty.
        #expect(Compositing.visiblePixels(result[0]) < logo.width * logo.height)
    }

    @Test func theBackgroundComesFirstAndOpaqueThenRegionsByArea() throws {
        let poster = SyntheticPoster.poster()
        let result = try LocalDecomposer.decompose(poster, layers: 4)
        // Layer 0 is a whole backdrop, its top-left corner the poster's.
        #expect(result[0].pixels.enumerated().allSatisfy { $0.offset % 4 != 3 || $0.element == 255 })
        #expect(Array(result[0].pixels[0..<4]) == Array(poster.pixels[0..<4]))
        let areas = result.dropFirst().map(Compositing.visiblePixels)
        #expect(areas == areas.sorted(by: >), "areas of layers 1…: \(areas)")
    }

    @Test func theSubjectAndTheTitleEndUpInTheirOwnLayers() throws {
        let poster = SyntheticPoster.poster()
        let result = try LocalDecomposer.decompose(poster, layers: 5)
        func layer(at x: Int, _ y: Int) -> Int? {
            let offset = (y * poster.width + x) * 4 + 3
            return result.indices.last { result[$0].pixels[offset] == 255 }
        }
        let background = layer(at: 2, 2)
        let subject = layer(at: poster.width / 2, poster.height * 55 / 100)
        let title = layer(at: 30, poster.height / 12 + 1)  // inside the first title block at the default size
        #expect(background == 0)
        #expect(subject != background && title != background && subject != title)
    }

    @Test func refusesLayerCountsOutOfRangeAndImagesWithTooFewPixels() throws {
        let poster = SyntheticPoster.poster(width: 8, height: 8)
        #expect(throws: DecompositionError.layerCountOutOfRange(0)) { try LocalDecomposer.decompose(poster, layers: 0) }
        #expect(throws: DecompositionError.layerCountOutOfRange(21)) { try LocalDecomposer.decompose(poster, layers: 21) }
        let tiny = RasterImage(width: 2, height: 1, pixels: [1, 2, 3, 255, 4, 5, 6, 255])
        #expect(throws: DecompositionError.tooFewPixels(pixels: 2, layers: 3)) { try LocalDecomposer.decompose(tiny, layers: 3) }
        // Two pixels, two layers: one each, and the opaque backdrop also fills in under the other one.
        let split = try LocalDecomposer.decompose(tiny, layers: 2)
        #expect(split.map(Compositing.visiblePixels) == [2, 1])
        #expect(Compositing.psnr(split, against: tiny) == .infinity)
    }

    @Test func theSamplePosterCompositesBack() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../assets/sample-poster.png")
        let bytes = try [UInt8](Data(contentsOf: url))
        let poster = try ImageDecoder.decode(bytes, maxPixels: 50_000_000)
        let result = try LocalDecomposer.decompose(poster, layers: 5)
        #expect(result.map(Compositing.visiblePixels).allSatisfy { $0 > 0 })
        #expect(Compositing.psnr(result, against: poster) >= 35)
    }
}
