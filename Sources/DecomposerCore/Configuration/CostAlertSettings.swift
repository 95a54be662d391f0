import Foundation

/// Cost alerts (`COST_ALERT_*`): where the alerts go, at which fractions of `DAILY_BUDGET_USD` a
/// day's spend raises one, and the body's shape. Read here; acted on by CostTracker (which has the
/// queue decide each alert in Redis) and the `CostAlerts` module (which delivers them).
public struct CostAlertSettings: Sendable, Equatable {
    /// `COST_ALERT_WEBHOOK_URL`: the operator's own receiver; nil = no alerts. May hold a secret
    /// (Slack's incoming-webhook URLs do), so only its scheme and host are ever logged.
    public var webhookURL: URL?
    /// `COST_ALERT_THRESHOLDS`: fractions of the daily budget, ascending, without duplicates.
    public var thresholds: [Double]
    /// `COST_ALERT_FORMAT`.
    public var format: CostAlertFormat

    public static let defaultThresholds: [Double] = [0.5, 0.8, 1.0]
    /// Bounds the script arguments each cost record carries.
    public static let maximumThresholds = 20

    public init(webhookURL: URL? = nil, thresholds: [Double] = defaultThresholds, format: CostAlertFormat = .json) {
        self.webhookURL = webhookURL
        self.thresholds = thresholds
        self.format = format
    }

    init(_ values: ConfigurationValues, dailyBudgetUSD: Double?) throws(ConfigurationError) {
        do {
            webhookURL = try values.httpURL("COST_ALERT_WEBHOOK_URL")
        } catch {
            // Not echoed: a webhook URL, even a mistyped one, may carry its secret.
            throw ConfigurationError(key: error.key, expected: error.expected, actual: "(not shown: it may hold a secret)")
        }
        thresholds = try Self.thresholds(values.string("COST_ALERT_THRESHOLDS"))
        let format = values.string("COST_ALERT_FORMAT", default: "json")
        guard let parsed = CostAlertFormat(rawValue: format.lowercased()) else {
            throw ConfigurationError(key: "COST_ALERT_FORMAT", expected: "json or slack", actual: format)
        }
        self.format = parsed
        // Thresholds are fractions of the budget: without one an alert could never fire, and an
        // operator who set a receiver would wait for alerts that never come.
        if let webhookURL, dailyBudgetUSD == nil {
            throw ConfigurationError(
                key: "COST_ALERT_WEBHOOK_URL",
                expected: "set together with DAILY_BUDGET_USD (alert thresholds are fractions of the daily budget)",
                actual: Self.redacted(webhookURL))
        }
    }

    /// `0.5,0.8,1.0` → `[0.5, 0.8, 1.0]`: any order, duplicates dropped; every entry a number > 0.
    static func thresholds(_ raw: String?) throws(ConfigurationError) -> [Double] {
        guard let raw else { return defaultThresholds }
        var fractions = Set<Double>()
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw ConfigurationError(
                    key: "COST_ALERT_THRESHOLDS",
                    expected: "comma-separated fractions of DAILY_BUDGET_USD, each a number > 0 (e.g. 0.5,0.8,1.0)",
                    actual: raw)
            }
            fractions.insert(value)
        }
        guard fractions.count <= maximumThresholds else {
            throw ConfigurationError(
                key: "COST_ALERT_THRESHOLDS", expected: "at most \(maximumThresholds) fractions", actual: raw)
        }
        return fractions.sorted()
    }

    /// A threshold as it is named in Redis and in the alert (`0.8`, `1.0`).
    public static func label(_ fraction: Double) -> String { String(describing: fraction) }

    /// Scheme and host only: a webhook URL's path and query are often its secret.
    public static func redacted(_ url: URL) -> String {
        "\(url.scheme?.lowercased() ?? "?")://\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "")"
    }
}

/// The body an alert is POSTed with: the plain JSON document, or Slack's incoming-webhook
/// `{"text": …}`.
public enum CostAlertFormat: String, Sendable, Equatable {
    case json
    case slack
}
