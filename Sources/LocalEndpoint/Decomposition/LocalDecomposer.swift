import ImageCodec
import SystemSupport

/// Splits a poster into RGBA layers on the CPU: the local endpoint's stand-in
/// for the layered-image model.
///
/// How:
/// 1. The visible pixels' colours go into a 15-bit histogram
///    (`ColourHistogram`), whose occupied bins are clustered with weighted
///    k-means in Oklab (`WeightedKMeans`), so similar-looking colours share a
///    layer. There are as many clusters as layers, or fewer when the image
///    has fewer distinct colours.
/// 2. Each pixel joins its bin's cluster (`PixelPartition`). While there are
///    fewer groups than layers, the largest group other than the background
///    is cut in two along an empty band or its median, so every layer is
///    non-empty.
/// 3. The background is the group covering most of the image's edge (then
///    the largest); the other groups follow by area, largest first, so small
///    details such as text end up on top.
/// 4. Each layer holds its own pixels with their exact colour and alpha and
///    is transparent elsewhere. When the background is opaque, layer 0 is
///    also filled in, opaquely, under the opaque foreground (`BackgroundFill`).
///
/// Every pixel is in exactly one layer with its original value and anything
/// painted beneath it is covered by an opaque pixel, so compositing the
/// layers in order ("over") reproduces the input exactly. The same image,
/// layer count and seed always give the same layers.
public enum LocalDecomposer {
    /// The layer counts accepted: one (the image itself) up to twenty.
    public static let layerRange = 1...20

    /// The default k-means seed: the endpoint always uses it, so the same
    /// image gives the same layers on every call.
    public static let defaultSeed: UInt64 = 0x5EED

    /// `layers` RGBA layers of `image`'s size, background first.
    /// - Parameter seed: seeds k-means++; another seed may cluster colours
    ///   differently but keeps every guarantee.
    /// - Throws: `DecompositionError` for a layer count outside `layerRange`
    ///   or an image with fewer pixels than layers.
    public static func decompose(
        _ image: RasterImage, layers: Int, seed: UInt64 = defaultSeed
    ) throws(DecompositionError) -> [RasterImage] {
        guard layerRange.contains(layers) else { throw .layerCountOutOfRange(layers) }
        let pixelCount = image.width * image.height
        guard pixelCount >= layers else { throw .tooFewPixels(pixels: pixelCount, layers: layers) }

        var partition = colourPartition(image, layers: layers, seed: seed)
        var background = backgroundGroup(partition)
        while partition.groupCount < layers {
            let areas = partition.areas()
            let candidates = areas.indices.filter { areas[$0] >= 2 }
            let foreground = candidates.filter { $0 != background }
            // `pixelCount >= layers` guarantees some group has two pixels.
            let group = (foreground.isEmpty ? candidates : foreground).max { areas[$0] < areas[$1] }!
            partition.split(group)
            if foreground.isEmpty { background = backgroundGroup(partition) }
        }
        let areas = partition.areas()
        let rest = areas.indices.filter { $0 != background }.sorted { areas[$0] != areas[$1] ? areas[$0] > areas[$1] : $0 < $1 }
        partition.renumber([background] + rest)
        return render(image, partition: partition)
    }

    /// Groups the pixels by colour cluster. Fully transparent pixels carry no
    /// colour and stay unassigned (they go to the background), unless there
    /// are too few visible pixels to give every layer one.
    private static func colourPartition(_ image: RasterImage, layers: Int, seed: UInt64) -> PixelPartition {
        image.pixels.withUnsafeBufferPointer { rgba in
            var histogram = ColourHistogram(rgba: rgba, minimumAlpha: 1)
            var minimumAlpha: UInt8 = 1
            if histogram.weights.reduce(0, +) < Double(layers) {
                histogram = ColourHistogram(rgba: rgba, minimumAlpha: 0)
                minimumAlpha = 0
            }
            let k = min(layers, histogram.occupiedBins.count)
            var generator = SeededGenerator(seed: seed)
            let clusters = WeightedKMeans.cluster(histogram.colours, weights: histogram.weights, k: k, generator: &generator)
            var binLabel = [UInt8](repeating: PixelPartition.unassigned, count: ColourHistogram.binCount)
            for (index, bin) in histogram.occupiedBins.enumerated() { binLabel[bin] = UInt8(clusters[index]) }
            let pixelCount = image.width * image.height
            let labels = [UInt8](unsafeUninitializedCapacity: pixelCount) { labels, initialized in
                for pixel in 0..<pixelCount {
                    let offset = pixel * 4
                    labels[pixel] = rgba[offset + 3] >= minimumAlpha
                        ? binLabel[ColourHistogram.bin(red: rgba[offset], green: rgba[offset + 1], blue: rgba[offset + 2])]
                        : PixelPartition.unassigned
                }
                initialized = pixelCount
            }
            return PixelPartition(width: image.width, height: image.height, labels: labels, groupCount: k)
        }
    }

    /// The group covering most of the image's edge; ties go to the larger
    /// group, then the lower index.
    private static func backgroundGroup(_ partition: PixelPartition) -> Int {
        let border = partition.borderCounts()
        let areas = partition.areas()
        return border.indices.max { border[$0] != border[$1] ? border[$0] < border[$1] : areas[$0] != areas[$1] ? areas[$0] < areas[$1] : $0 > $1 }!
    }

    /// One RGBA image per group; group 0 (the background) is filled in
    /// beneath the opaque foreground when all of its own pixels are opaque.
    private static func render(_ image: RasterImage, partition: PixelPartition) -> [RasterImage] {
        let width = image.width
        let height = image.height
        let byteCount = width * height * 4
        return image.pixels.withUnsafeBufferPointer { rgba in
            partition.labels.withUnsafeBufferPointer { labels in
                (0..<partition.groupCount).map { group in
                    let label = UInt8(group)
                    let pixels = [UInt8](unsafeUninitializedCapacity: byteCount) { layer, initialized in
                        layer.initialize(repeating: 0)
                        var opaque = true
                        for pixel in 0..<labels.count where labels[pixel] == label {
                            let offset = pixel * 4
                            layer[offset] = rgba[offset]
                            layer[offset + 1] = rgba[offset + 1]
                            layer[offset + 2] = rgba[offset + 2]
                            layer[offset + 3] = rgba[offset + 3]
                            opaque = opaque && rgba[offset + 3] == 255
                        }
                        if group == 0, opaque, partition.groupCount > 1,
                           let fill = BackgroundFill(rgba: rgba, labels: labels, label: 0, width: width, height: height) {
                            fill.paint(into: layer, width: width, height: height) { pixel in
                                labels[pixel] != 0 && rgba[pixel * 4 + 3] == 255
                            }
                        }
                        initialized = byteCount
                    }
                    return RasterImage(width: width, height: height, pixels: pixels)
                }
            }
        }
    }
}
