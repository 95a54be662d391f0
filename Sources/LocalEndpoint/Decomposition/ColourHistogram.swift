/// The image's colours reduced to 5 bits per channel (32 768 bins), each bin
/// remembering how many pixels fell in it and their mean colour.
///
/// Clustering the occupied bins, weighted by their counts, gives the same
/// clusters as clustering every pixel to within the bin size, at a cost that
/// no longer grows with the image: a 1024×1024 poster has a million pixels
/// but rarely more than a few thousand occupied bins. The bins only decide
/// which layer a pixel joins; layers keep the pixels' exact colours.
struct ColourHistogram {
    /// 5 bits of red, green and blue: `rrrrrgggggbbbbb`.
    static let binCount = 1 << 15

    /// Indices of the bins holding at least one pixel, ascending.
    let occupiedBins: [Int]
    /// The mean colour of each occupied bin, in Oklab.
    let colours: [Oklab]
    /// How many pixels each occupied bin holds.
    let weights: [Double]

    @inline(__always)
    static func bin(red: UInt8, green: UInt8, blue: UInt8) -> Int {
        Int(red >> 3) << 10 | Int(green >> 3) << 5 | Int(blue >> 3)
    }

    /// Counts the pixels of `rgba` whose alpha is at least `minimumAlpha`
    /// (0 counts every pixel).
    init(rgba: UnsafeBufferPointer<UInt8>, minimumAlpha: UInt8) {
        var counts = [Int](repeating: 0, count: Self.binCount)
        var sums = [Int](repeating: 0, count: Self.binCount * 3)
        counts.withUnsafeMutableBufferPointer { counts in
            sums.withUnsafeMutableBufferPointer { sums in
                var offset = 0
                while offset < rgba.count {
                    if rgba[offset + 3] >= minimumAlpha {
                        let red = rgba[offset], green = rgba[offset + 1], blue = rgba[offset + 2]
                        let bin = Self.bin(red: red, green: green, blue: blue)
                        counts[bin] += 1
                        sums[bin * 3] += Int(red)
                        sums[bin * 3 + 1] += Int(green)
                        sums[bin * 3 + 2] += Int(blue)
                    }
                    offset += 4
                }
            }
        }
        var occupied: [Int] = []
        var colours: [Oklab] = []
        var weights: [Double] = []
        for bin in 0..<Self.binCount where counts[bin] > 0 {
            let count = Double(counts[bin])
            occupied.append(bin)
            weights.append(count)
            colours.append(Oklab(
                red: Double(sums[bin * 3]) / count, green: Double(sums[bin * 3 + 1]) / count,
                blue: Double(sums[bin * 3 + 2]) / count))
        }
        occupiedBins = occupied
        self.colours = colours
        self.weights = weights
    }
}
