/// Box-filter coverage along one axis: for each destination index, the run of
/// source indices it overlaps and how much of each (fractions, so a 3 → 2
/// reduction weights the shared middle pixel ½ on each side).
///
/// Weights are normalised to sum to 1 per destination index, so a uniform
/// image stays exactly uniform. Computed once per axis and reused for every
/// row or column, which keeps the inner loops free of divisions and
/// allocations.
struct AreaWeights {
    /// First source index for each destination index.
    let first: [Int]
    /// Number of source indices for each destination index.
    let count: [Int]
    /// Where each destination index's weights start in `weights`.
    let offset: [Int]
    /// All weights, destination after destination.
    let weights: [Float]

    /// - Precondition: `1 <= destination <= source` (downscaling only).
    init(source: Int, destination: Int) {
        precondition(destination >= 1 && destination <= source)
        var first = [Int](), count = [Int](), offset = [Int](), weights = [Float]()
        first.reserveCapacity(destination)
        count.reserveCapacity(destination)
        offset.reserveCapacity(destination)
        weights.reserveCapacity(source + destination)
        let scale = Double(source) / Double(destination)
        for d in 0..<destination {
            // Exact rational ends (no accumulated rounding); the last one is
            // exactly `source`.
            let low = Double(d * source) / Double(destination)
            let high = Double((d + 1) * source) / Double(destination)
            let start = Int(low.rounded(.down))
            let end = min(source, Int(high.rounded(.up)))
            first.append(start)
            offset.append(weights.count)
            for s in start..<end {
                let cover = min(high, Double(s + 1)) - max(low, Double(s))
                weights.append(Float(max(cover, 0) / scale))
            }
            count.append(end - start)
        }
        self.first = first
        self.count = count
        self.offset = offset
        self.weights = weights
    }

    /// The same coverage with every destination index given the same number
    /// of taps (the most any has), zero weights filling the rest, so the
    /// horizontal loop has a fixed trip count the compiler unrolls. Runs are
    /// moved left where needed to stay inside the source; a zero weight adds
    /// exactly nothing.
    func padded() -> Padded {
        let taps = count.max() ?? 1
        let source = (0..<first.count).map { first[$0] + count[$0] }.max() ?? taps
        var paddedFirst = [Int](), paddedWeights = [Float]()
        paddedFirst.reserveCapacity(first.count)
        paddedWeights.reserveCapacity(first.count * taps)
        for d in 0..<first.count {
            let start = max(0, min(first[d], source - taps))
            let lead = first[d] - start
            paddedFirst.append(start)
            paddedWeights += repeatElement(0, count: lead)
            paddedWeights += weights[offset[d]..<(offset[d] + count[d])]
            paddedWeights += repeatElement(0, count: taps - lead - count[d])
        }
        return Padded(taps: taps, first: paddedFirst, weights: paddedWeights)
    }

    /// See `padded()`.
    struct Padded {
        let taps: Int
        /// First source index of each destination index's `taps` weights.
        let first: [Int]
        /// `taps` weights per destination index.
        let weights: [Float]
    }
}
