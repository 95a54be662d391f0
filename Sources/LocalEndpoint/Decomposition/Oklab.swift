import Foundation

/// A colour in Oklab (Björn Ottosson, 2020), where Euclidean distance follows
/// perceived difference far better than in sRGB: clustering there groups
/// "the same red" in light and shade instead of splitting it by brightness.
struct Oklab: Sendable, Equatable {
    var l: Float
    var a: Float
    var b: Float

    /// From sRGB components in `0...255`, fractional values allowed (a
    /// histogram bin's mean colour).
    init(red: Double, green: Double, blue: Double) {
        let r = Self.linear(red / 255)
        let g = Self.linear(green / 255)
        let b = Self.linear(blue / 255)
        let lms = (
            cbrt(0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b),
            cbrt(0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b),
            cbrt(0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b))
        l = Float(0.210_454_255_3 * lms.0 + 0.793_617_785_0 * lms.1 - 0.004_072_046_8 * lms.2)
        a = Float(1.977_998_495_1 * lms.0 - 2.428_592_205_0 * lms.1 + 0.450_593_709_9 * lms.2)
        self.b = Float(0.025_904_037_1 * lms.0 + 0.782_771_766_2 * lms.1 - 0.808_675_766_0 * lms.2)
    }

    init(l: Float, a: Float, b: Float) {
        self.l = l
        self.a = a
        self.b = b
    }

    func distanceSquared(to other: Oklab) -> Float {
        let dl = l - other.l
        let da = a - other.a
        let db = b - other.b
        return dl * dl + da * da + db * db
    }

    /// The sRGB transfer function undone: light adds up linearly, code values do not.
    private static func linear(_ value: Double) -> Double {
        value <= 0.040_45 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
    }
}
