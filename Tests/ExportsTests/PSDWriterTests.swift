import Foundation
import ImageCodec
import SystemSupport
import Testing

@testable import Exports

@Suite struct PSDWriterTests {
    private func write(_ fixtures: PSDLayerFixtures) throws -> (path: String, psd: PSDTestReader) {
        let path = fixtures.folder.appendingPathComponent("out.psd").path
        try PSDWriter().write(fixtures.source, to: path)
        return (path, try PSDTestReader(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }

    @Test func headerAndLayerRecords() throws {
        let fixtures = try PSDLayerFixtures(width: 37, height: 23)
        defer { fixtures.remove() }
        let (_, psd) = try write(fixtures)
        #expect(psd.signature == "8BPS")
        #expect(psd.version == 1)
        #expect(psd.channelCount == 4)
        #expect(psd.width == 37 && psd.height == 23)
        #expect(psd.depth == 8)
        #expect(psd.colorMode == 3)
        // Negative: the composite's fourth channel is its transparency.
        #expect(psd.layerCount == -4)
        #expect(psd.layerInfoLength % 4 == 0)
        #expect(psd.layerAndMaskLength % 4 == 0)
        #expect(psd.layers.map(\.pascalName) == ["Layer 0", "Layer 1", "Layer 2", "Layer 3"])
        #expect(psd.layers.map(\.unicodeName) == ["Layer 0", "Layer 1", "Layer 2", "Layer 3"])
        for layer in psd.layers {
            #expect(layer.top == 0 && layer.left == 0 && layer.bottom == 23 && layer.right == 37)
            #expect(layer.channels.map(\.id) == [-1, 0, 1, 2])
            #expect(layer.blendMode == "norm")
            #expect(layer.opacity == 255)
            #expect(layer.flags & 0x02 == 0)  // visible
        }
    }

    @Test func channelDataIsEachLayersPixels() throws {
        let fixtures = try PSDLayerFixtures(width: 300, height: 17, count: 5)
        defer { fixtures.remove() }
        let (_, psd) = try write(fixtures)
        for (layer, image) in zip(psd.layers, fixtures.images) {
            for (id, interleaved) in [(Int16(-1), 3), (0, 0), (1, 1), (2, 2)] {
                let expected = stride(from: interleaved, to: image.pixels.count, by: 4).map { image.pixels[$0] }
                #expect(layer.planes[id] == expected, "layer \(layer.pascalName) channel \(id)")
            }
        }
    }

    @Test func compositeIsTheLayersOverWhiteAndTheirAlpha() throws {
        let fixtures = try PSDLayerFixtures(width: 41, height: 29, count: 6)
        defer { fixtures.remove() }
        let (_, psd) = try write(fixtures)
        let expected = expectedComposite(fixtures.images)
        for plane in 0..<4 {
            let worst = zip(psd.composite[plane], expected[plane]).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "composite plane \(plane) is off by up to \(worst)")
        }
        // The background is opaque, so the composite is too.
        #expect(psd.composite[3].allSatisfy { $0 == 255 })
    }

    @Test func transparentCompositeIsWhiteWithZeroAlpha() throws {
        let fixtures = try PSDLayerFixtures(width: 9, height: 8, count: 3)
        defer { fixtures.remove() }
        // Without the opaque background: where nothing covers, alpha 0 and white.
        let layers = Array(fixtures.source.layers.dropFirst())
        let path = fixtures.folder.appendingPathComponent("no-background.psd").path
        try PSDWriter().write(ExportSource(jobID: UUID(), layers: layers), to: path)
        let psd = try PSDTestReader(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(psd.layerCount == -2)
        let expected = expectedComposite(Array(fixtures.images.dropFirst()))
        for plane in 0..<4 {
            let worst = zip(psd.composite[plane], expected[plane]).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "composite plane \(plane) is off by up to \(worst)")
        }
        #expect(psd.composite[3].contains(0))
    }

    @Test func unicodeNamesSurviveInLuni() throws {
        let names = ["Hintergrund", "Überschrift – 見出し", String(repeating: "x", count: 300)]
        let fixtures = try PSDLayerFixtures(width: 5, height: 4, count: 3, names: names)
        defer { fixtures.remove() }
        let (_, psd) = try write(fixtures)
        #expect(psd.layers.map(\.unicodeName) == names)
        #expect(psd.layers[1].pascalName == "?berschrift ? ???")
        #expect(psd.layers[2].pascalName == String(repeating: "x", count: 255))
    }

    @Test func mismatchedLayerSizeIsRefusedAndLeavesNoFile() throws {
        let fixtures = try PSDLayerFixtures(width: 12, height: 10, count: 2)
        defer { fixtures.remove() }
        var generator = SeededGenerator(seed: 5)
        let odd = fixtures.folder.appendingPathComponent("odd.png").path
        try Data(ImageEncoder.png(PSDLayerFixtures.layer(width: 12, height: 11, index: 1, using: &generator)))
            .write(to: URL(fileURLWithPath: odd))
        let layers = fixtures.source.layers + [ExportLayer(index: 2, name: "Layer 2", path: odd)]
        let path = fixtures.folder.appendingPathComponent("out.psd").path
        #expect(
            throws: PSDWriterError.layerSizeMismatch(
                layer: "Layer 2", width: 12, height: 11, canvasWidth: 12, canvasHeight: 10)
        ) {
            try PSDWriter().write(ExportSource(jobID: UUID(), layers: layers), to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let message = PSDWriterError.layerSizeMismatch(
            layer: "Layer 2", width: 12, height: 11, canvasWidth: 12, canvasHeight: 10
        ).description
        #expect(message.contains("\"Layer 2\" is 12×11") && message.contains("12×10"))
    }

    @Test func missingOrBrokenLayerAndNoLayersAreClearErrors() throws {
        let fixtures = try PSDLayerFixtures(width: 6, height: 6, count: 2)
        defer { fixtures.remove() }
        let path = fixtures.folder.appendingPathComponent("out.psd").path
        #expect(throws: PSDWriterError.noLayers) {
            try PSDWriter().write(ExportSource(jobID: UUID(), layers: []), to: path)
        }
        let missing = fixtures.source.layers + [ExportLayer(index: 2, name: "Layer 2", path: "/nonexistent/x.png")]
        do {
            try PSDWriter().write(ExportSource(jobID: UUID(), layers: missing), to: path)
            Issue.record("a missing layer file was accepted")
        } catch let error as PSDWriterError {
            guard case .unreadableLayer(let layer, let file, let reason) = error else {
                Issue.record("expected .unreadableLayer, got \(error)")
                return
            }
            #expect(layer == "Layer 2" && file == "/nonexistent/x.png" && reason.contains("No such file"))
        }
        // A PNG whose header is fine but whose pixel data is cut: refused while decoding, file removed.
        let png = try ImageEncoder.png(fixtures.images[1])
        let cut = fixtures.folder.appendingPathComponent("cut.png").path
        try Data(png.prefix(png.count - 20)).write(to: URL(fileURLWithPath: cut))
        let broken = fixtures.source.layers + [ExportLayer(index: 2, name: "Layer 2", path: cut)]
        #expect(throws: PSDWriterError.self) {
            try PSDWriter().write(ExportSource(jobID: UUID(), layers: broken), to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
