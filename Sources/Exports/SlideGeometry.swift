/// The slide's size in EMU (English Metric Units, 914,400 per inch) for a poster of `width` ×
/// `height` pixels at 96 dpi (9,525 EMU a pixel), scaled uniformly into the range PowerPoint
/// accepts for a slide side (1 to 56 inches, `ST_SlideSizeCoordinate`) when the poster is
/// smaller or larger than that. Every layer is a picture of exactly this size at (0, 0).
struct SlideGeometry: Equatable, Sendable {
    static let emuPerPixel = 9_525
    static let minimumSide = 914_400
    static let maximumSide = 51_206_400

    let width: Int
    let height: Int

    init(pixelWidth: Int, pixelHeight: Int) {
        var width = Double(max(pixelWidth, 1) * Self.emuPerPixel)
        var height = Double(max(pixelHeight, 1) * Self.emuPerPixel)
        let longer = max(width, height)
        if longer > Double(Self.maximumSide) {
            let scale = Double(Self.maximumSide) / longer
            width *= scale
            height *= scale
        }
        let shorter = min(width, height)
        if shorter < Double(Self.minimumSide) {
            let scale = min(Double(Self.minimumSide) / shorter, Double(Self.maximumSide) / max(width, height))
            width *= scale
            height *= scale
        }
        // An extreme aspect ratio cannot fit both bounds: each side is clamped on its own.
        self.width = min(max(Int(width.rounded()), Self.minimumSide), Self.maximumSide)
        self.height = min(max(Int(height.rounded()), Self.minimumSide), Self.maximumSide)
    }
}
