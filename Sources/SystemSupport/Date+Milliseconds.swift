import Foundation

extension Date {
    /// The instant `ms` milliseconds after 1970-01-01 UTC: how Redis, the job
    /// hash and the request log store times.
    public init(millisecondsSince1970 ms: Int64) {
        self.init(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// Milliseconds since 1970-01-01 UTC, rounded to the nearest.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
