import SystemSupport

/// What one GPU hour is attributed, as integer micro-dollars so sums are exact.
public struct GPURate: Sendable, Equatable {
    public let microdollarsPerHour: Int64

    public init(usdPerHour: Double) {
        microdollarsPerHour = Int64((usdPerHour * 1_000_000).rounded())
    }

    /// Cost of `duration` of GPU time, rounded to the nearest micro-dollar.
    public func cost(of duration: Duration) -> Int64 {
        let milliseconds = max(duration.milliseconds, 0)
        // Integer arithmetic: ms × µ$/h ÷ 3,600,000 ms/h, rounded half up.
        return (milliseconds * microdollarsPerHour + 1_800_000) / 3_600_000
    }
}
