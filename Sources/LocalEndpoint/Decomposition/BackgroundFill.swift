/// Colours for the background layer where the foreground layers hide it, so
/// that layer 0 is a whole, opaque backdrop (what a designer expects of a
/// background layer) rather than a sheet with holes in the subject's shape.
///
/// The background's own pixels are averaged over a coarse grid of blocks;
/// blocks with no background pixel take the colour of the nearest coarser
/// block that has some (push-pull over a pyramid of grids); a hidden pixel
/// then gets the bilinear blend of the four surrounding block colours. The
/// result is a smooth continuation of the surrounding background, costing a
/// few milliseconds for a megapixel. Hidden pixels are covered by opaque
/// foreground pixels, so the fill never changes what the layers composite to.
struct BackgroundFill {
    private let blockSize: Int
    private let gridWidth: Int
    private let gridHeight: Int
    /// Red, green, blue per block, row by row.
    private let colours: [SIMD3<Float>]

    /// `nil` when no pixel carries `label` (nothing to continue).
    init?(rgba: UnsafeBufferPointer<UInt8>, labels: UnsafeBufferPointer<UInt8>, label: UInt8, width: Int, height: Int) {
        let blockSize = max(8, (max(width, height) + 63) / 64)
        let gridWidth = (width + blockSize - 1) / blockSize
        let gridHeight = (height + blockSize - 1) / blockSize
        var level = [SIMD4<Float>](repeating: .zero, count: gridWidth * gridHeight)
        for y in 0..<height {
            let blockRow = (y / blockSize) * gridWidth
            for x in 0..<width where labels[y * width + x] == label {
                let offset = (y * width + x) * 4
                level[blockRow + x / blockSize] += SIMD4(Float(rgba[offset]), Float(rgba[offset + 1]), Float(rgba[offset + 2]), 1)
            }
        }
        // Push: coarser and coarser sums, down to one cell.
        var levels = [(cells: level, width: gridWidth, height: gridHeight)]
        while levels[levels.count - 1].width > 1 || levels[levels.count - 1].height > 1 {
            let finer = levels[levels.count - 1]
            let width = (finer.width + 1) / 2
            let height = (finer.height + 1) / 2
            var coarser = [SIMD4<Float>](repeating: .zero, count: width * height)
            for y in 0..<finer.height {
                for x in 0..<finer.width { coarser[(y / 2) * width + x / 2] += finer.cells[y * finer.width + x] }
            }
            levels.append((coarser, width, height))
        }
        guard levels[levels.count - 1].cells[0].w > 0 else { return nil }
        // Pull: an empty cell takes its parent's colour, from the top down.
        var parent = [Self.mean(levels[levels.count - 1].cells[0])]
        for index in stride(from: levels.count - 2, through: 0, by: -1) {
            let grid = levels[index]
            let parentWidth = (grid.width + 1) / 2
            var filled = [SIMD3<Float>](repeating: .zero, count: grid.width * grid.height)
            for y in 0..<grid.height {
                for x in 0..<grid.width {
                    let cell = grid.cells[y * grid.width + x]
                    filled[y * grid.width + x] = cell.w > 0 ? Self.mean(cell) : parent[(y / 2) * parentWidth + x / 2]
                }
            }
            parent = filled
        }
        self.blockSize = blockSize
        self.gridWidth = gridWidth
        self.gridHeight = gridHeight
        colours = parent
    }

    /// Writes the fill, opaque, into `layer` at every pixel `hidden` accepts,
    /// row by row.
    func paint(into layer: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, hidden: (Int) -> Bool) {
        let columns = (0..<width).map { Self.sample(at: $0, blockSize: blockSize, count: gridWidth) }
        for y in 0..<height {
            let row = Self.sample(at: y, blockSize: blockSize, count: gridHeight)
            let top = row.first * gridWidth
            let bottom = row.second * gridWidth
            for x in 0..<width where hidden(y * width + x) {
                let column = columns[x]
                let upper = colours[top + column.first] * (1 - column.weight) + colours[top + column.second] * column.weight
                let lower = colours[bottom + column.first] * (1 - column.weight) + colours[bottom + column.second] * column.weight
                let colour = upper * (1 - row.weight) + lower * row.weight
                let offset = (y * width + x) * 4
                layer[offset] = UInt8(colour.x.rounded())
                layer[offset + 1] = UInt8(colour.y.rounded())
                layer[offset + 2] = UInt8(colour.z.rounded())
                layer[offset + 3] = 255
            }
        }
    }

    /// The two block centres around pixel `position` and the second one's weight.
    private static func sample(at position: Int, blockSize: Int, count: Int) -> (first: Int, second: Int, weight: Float) {
        let centre = (Float(position) + 0.5) / Float(blockSize) - 0.5
        let clamped = min(max(centre, 0), Float(count - 1))
        let first = Int(clamped)
        return (first, min(first + 1, count - 1), clamped - Float(first))
    }

    private static func mean(_ sum: SIMD4<Float>) -> SIMD3<Float> {
        SIMD3(sum.x, sum.y, sum.z) / sum.w
    }
}
