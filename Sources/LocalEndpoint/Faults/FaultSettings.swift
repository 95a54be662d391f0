import Foundation

/// How often the local endpoint misbehaves, and how.
///
/// The probabilities are of mutually exclusive outcomes for one request (a
/// request gets at most one fault), so together they may not exceed 1.
/// Latency is added to every answer, faulty or not. With the same seed and
/// the same sequence of requests the same faults come out in the same order.
public struct FaultSettings: Sendable, Equatable {
    public let latency: LatencyRange
    public let rateLimitProbability: Double
    /// The `Retry-After` of a 429, in whole seconds (also sent as
    /// `google.rpc.RetryInfo.retryDelay`).
    public let retryAfterSeconds: Int
    public let unavailableProbability: Double
    public let hangProbability: Double
    /// How long a hang lasts at most; graceful shutdown ends it sooner.
    public let hangDuration: Duration
    public let malformedProbability: Double
    public let wrongLayersProbability: Double
    /// Seeds the fault schedule (`FaultPlan`).
    public let seed: UInt64

    /// A well-behaved endpoint: no latency, no faults.
    public static let none = FaultSettings(
        checked: .zero, rateLimit: 0, retryAfter: 1, unavailable: 0, hang: 0, hangDuration: .seconds(3600),
        malformed: 0, wrongLayers: 0, seed: 0)

    /// - Throws: `FaultSettingsError` for a probability outside `0...1`,
    ///   probabilities adding up to more than 1, a negative `Retry-After` or a
    ///   hang shorter than a second.
    public init(
        latency: LatencyRange = .zero, rateLimitProbability: Double = 0, retryAfterSeconds: Int = 1,
        unavailableProbability: Double = 0, hangProbability: Double = 0, hangDuration: Duration = .seconds(3600),
        malformedProbability: Double = 0, wrongLayersProbability: Double = 0, seed: UInt64 = 0
    ) throws(FaultSettingsError) {
        let probabilities: [(FaultOption, Double)] = [
            (.rateLimitProbability, rateLimitProbability), (.unavailableProbability, unavailableProbability),
            (.hangProbability, hangProbability), (.malformedProbability, malformedProbability),
            (.wrongLayersProbability, wrongLayersProbability),
        ]
        for (option, value) in probabilities where !(value >= 0 && value <= 1) {
            throw FaultSettingsError(option, expected: "a probability from 0 to 1", actual: "\(value)")
        }
        let total = probabilities.reduce(0) { $0 + $1.1 }
        guard total <= 1 + 1e-9 else {
            let names = probabilities.map { $0.0.flag }.joined(separator: ", ")
            throw FaultSettingsError(
                "the fault probabilities (\(names)) add up to \(String(format: "%g", total)); at most one fault happens per request, so they may add up to at most 1")
        }
        guard retryAfterSeconds >= 0 else {
            throw FaultSettingsError(.retryAfter, expected: "whole seconds, 0 or more", actual: "\(retryAfterSeconds)")
        }
        guard hangDuration >= .seconds(1) else {
            throw FaultSettingsError(.hangSeconds, expected: "whole seconds, 1 or more", actual: "\(hangDuration)")
        }
        self.init(
            checked: latency, rateLimit: rateLimitProbability, retryAfter: retryAfterSeconds,
            unavailable: unavailableProbability, hang: hangProbability, hangDuration: hangDuration,
            malformed: malformedProbability, wrongLayers: wrongLayersProbability, seed: seed)
    }

    /// Reads the settings from text, as given by flags or environment
    /// variables (`FaultOption` names both); absent options keep their
    /// defaults and an absent seed is `defaultSeed`.
    public static func parse(_ values: [FaultOption: String], defaultSeed: UInt64) throws(FaultSettingsError) -> FaultSettings {
        func text(_ option: FaultOption) -> String? {
            guard let value = values[option]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func probability(_ option: FaultOption) throws(FaultSettingsError) -> Double {
            guard let raw = text(option) else { return 0 }
            guard let value = Double(raw), value >= 0, value <= 1 else {
                throw FaultSettingsError(option, expected: "a probability from 0 to 1", actual: raw)
            }
            return value
        }
        func seconds(_ option: FaultOption, default fallback: Int, minimum: Int) throws(FaultSettingsError) -> Int {
            guard let raw = text(option) else { return fallback }
            guard let value = Int(raw), value >= minimum else {
                throw FaultSettingsError(option, expected: "whole seconds, \(minimum) or more", actual: raw)
            }
            return value
        }

        var latency = LatencyRange.zero
        if let raw = text(.latencyMs) {
            guard let parsed = LatencyRange(parsing: raw) else {
                throw FaultSettingsError(.latencyMs, expected: "milliseconds (500) or a range (200-800)", actual: raw)
            }
            latency = parsed
        }
        var seed = defaultSeed
        if let raw = text(.seed) {
            guard let parsed = UInt64(raw) else {
                throw FaultSettingsError(.seed, expected: "an integer from 0 to \(UInt64.max)", actual: raw)
            }
            seed = parsed
        }
        return try FaultSettings(
            latency: latency,
            rateLimitProbability: try probability(.rateLimitProbability),
            retryAfterSeconds: try seconds(.retryAfter, default: 1, minimum: 0),
            unavailableProbability: try probability(.unavailableProbability),
            hangProbability: try probability(.hangProbability),
            hangDuration: .seconds(try seconds(.hangSeconds, default: 3600, minimum: 1)),
            malformedProbability: try probability(.malformedProbability),
            wrongLayersProbability: try probability(.wrongLayersProbability),
            seed: seed)
    }

    /// One line for the start-up log: what will go wrong, and how often.
    public var summary: String {
        var parts: [String] = []
        if latency != .zero { parts.append("latency \(latency)") }
        func percent(_ value: Double) -> String { String(format: "%g%%", value * 100) }
        if rateLimitProbability > 0 { parts.append("429 \(percent(rateLimitProbability)) (Retry-After \(retryAfterSeconds) s)") }
        if unavailableProbability > 0 { parts.append("503 \(percent(unavailableProbability))") }
        if hangProbability > 0 { parts.append("hang \(percent(hangProbability)) (up to \(hangDuration.components.seconds) s)") }
        if malformedProbability > 0 { parts.append("malformed body \(percent(malformedProbability))") }
        if wrongLayersProbability > 0 { parts.append("wrong layer count \(percent(wrongLayersProbability))") }
        return parts.isEmpty ? "no faults" : parts.joined(separator: ", ") + ", seed \(seed)"
    }

    /// The probability of each fault, in the order `FaultPlan` tests them.
    var faultProbabilities: [(Fault, Double)] {
        [(.rateLimited, rateLimitProbability), (.unavailable, unavailableProbability), (.hang, hangProbability),
         (.malformedBody, malformedProbability), (.wrongLayerCount, wrongLayersProbability)]
    }

    private init(
        checked latency: LatencyRange, rateLimit: Double, retryAfter: Int, unavailable: Double, hang: Double,
        hangDuration: Duration, malformed: Double, wrongLayers: Double, seed: UInt64
    ) {
        self.latency = latency
        rateLimitProbability = rateLimit
        retryAfterSeconds = retryAfter
        unavailableProbability = unavailable
        hangProbability = hang
        self.hangDuration = hangDuration
        malformedProbability = malformed
        wrongLayersProbability = wrongLayers
        self.seed = seed
    }
}
