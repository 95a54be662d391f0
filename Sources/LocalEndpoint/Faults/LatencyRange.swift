import Foundation

/// Added latency before each answer: fixed (`500`) or drawn uniformly from a
/// range of milliseconds (`200-800`), so a demo or test can imitate a GPU
/// that takes its time, and a varying one.
public struct LatencyRange: Sendable, Equatable, CustomStringConvertible {
    public let lowerMilliseconds: Int
    public let upperMilliseconds: Int

    /// No added latency.
    public static let zero = LatencyRange(unchecked: 0, 0)

    /// - Returns: `nil` unless `0 <= lower <= upper`.
    public init?(milliseconds lower: Int, _ upper: Int) {
        guard lower >= 0, lower <= upper else { return nil }
        self.init(unchecked: lower, upper)
    }

    /// Reads `"500"` or `"200-800"` (whitespace allowed around the numbers).
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), let lower = Int(parts[0]), let upper = Int(parts[parts.count - 1]) else {
            return nil
        }
        self.init(milliseconds: lower, upper)
    }

    private init(unchecked lower: Int, _ upper: Int) {
        lowerMilliseconds = lower
        upperMilliseconds = upper
    }

    /// The latency for a uniform draw `unit` from `[0, 1)`.
    public func duration(at unit: Double) -> Duration {
        let span = Double(upperMilliseconds - lowerMilliseconds + 1)
        let milliseconds = lowerMilliseconds + min(Int(unit * span), upperMilliseconds - lowerMilliseconds)
        return .milliseconds(milliseconds)
    }

    public var description: String {
        lowerMilliseconds == upperMilliseconds ? "\(lowerMilliseconds) ms" : "\(lowerMilliseconds)-\(upperMilliseconds) ms"
    }
}
