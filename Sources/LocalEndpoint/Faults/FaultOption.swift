import Foundation

/// Each fault-injection setting with its command-line flag and environment
/// variable, named in one place so the CLI, the error messages and the
/// documentation cannot drift apart.
public enum FaultOption: String, Sendable, CaseIterable {
    case latencyMs = "latency-ms"
    case rateLimitProbability = "rate-limit-probability"
    case retryAfter = "retry-after"
    case unavailableProbability = "unavailable-probability"
    case hangProbability = "hang-probability"
    case hangSeconds = "hang-seconds"
    case malformedProbability = "malformed-probability"
    case wrongLayersProbability = "wrong-layers-probability"
    case seed

    /// `--latency-ms`.
    public var flag: String { "--\(rawValue)" }

    /// `ENDPOINT_LATENCY_MS`.
    public var environmentKey: String {
        "ENDPOINT_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}
