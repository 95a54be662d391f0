/// SplitMix64: a tiny, fast generator whose sequence depends only on its seed.
///
/// The standard library's generators are seeded from the system and
/// `Double.random(in:using:)` may change its mapping between toolchains, so
/// the local endpoint's decomposition and fault schedule draw from this and map
/// to `[0, 1)` themselves: the same seed gives the same layers and the same
/// faults on every machine and every run. Tests and benchmarks use it for inputs
/// that are the same on every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)` with 53 bits of precision.
    public mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
