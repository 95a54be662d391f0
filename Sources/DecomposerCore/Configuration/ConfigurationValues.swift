import Foundation

/// Typed, validated reads of configuration keys. The real environment wins
/// over the `.env` file.
public struct ConfigurationValues: Sendable {
    public let values: [String: String]

    public init(environment: [String: String], environmentFile: [String: String] = [:]) {
        values = environmentFile.merging(environment) { _, real in real }
    }

    /// The process environment over `./.env` (or the file `ENV_FILE` names).
    public static func fromProcess() throws -> ConfigurationValues {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["ENV_FILE"] ?? ".env"
        do {
            return ConfigurationValues(environment: environment, environmentFile: try EnvironmentFile.load(path: path))
        } catch {
            throw ConfigurationError(key: "ENV_FILE", expected: "a readable .env file", actual: path)
        }
    }

    /// A set, non-blank value.
    public func string(_ key: String) -> String? {
        guard let value = values[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    public func string(_ key: String, default fallback: String) -> String { string(key) ?? fallback }

    public func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw = string(key) else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)", actual: raw)
        }
        return value
    }

    /// Seconds, fractions allowed (`0.5`), never negative.
    public func seconds(_ key: String, default fallback: Double, minimum: Double = 0) throws(ConfigurationError) -> Duration {
        let value = try number(key, default: fallback, minimum: minimum, unit: "seconds")
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    public func number(_ key: String, default fallback: Double, minimum: Double = 0, unit: String = "")
        throws(ConfigurationError) -> Double
    {
        guard let raw = string(key) else { return fallback }
        guard let value = Double(raw), value.isFinite, value >= minimum else {
            let bound = "a number ≥ \(String(format: "%g", minimum))"
            throw ConfigurationError(key: key, expected: unit.isEmpty ? bound : "\(bound) (\(unit))", actual: raw)
        }
        return value
    }

    /// An http(s) URL with a host.
    public func httpURL(_ key: String) throws(ConfigurationError) -> URL? {
        guard let raw = string(key) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else {
            throw ConfigurationError(key: key, expected: "an http:// or https:// URL", actual: raw)
        }
        return url
    }
}
