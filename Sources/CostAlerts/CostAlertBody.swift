import DecomposerCore
import Foundation

/// The POST body of a cost alert (`COST_ALERT_FORMAT`): the JSON document
/// `{"day","threshold","spent_usd","budget_usd","top_jobs":[{"job_id","usd"}…]}` (`threshold` always
/// the fraction), or Slack's incoming-webhook `{"text": …}` with the same facts in one readable line.
public enum CostAlertBody {
    public static func render(_ alert: CostAlert, format: CostAlertFormat) -> [UInt8] {
        switch format {
        case .json: return encode(Document(alert))
        case .slack: return encode(["text": text(alert)])
        }
    }

    /// Slack's line: spent, budget, percentage, day, the costliest jobs.
    public static func text(_ alert: CostAlert) -> String {
        let fraction = Double(alert.threshold) ?? 0
        let percentage = alert.budgetMicrodollars > 0
            ? Double(alert.spentMicrodollars) / Double(alert.budgetMicrodollars) * 100 : 0
        var line = "GPU cost alert: \(usd(alert.spentMicrodollars)) spent on \(alert.day) (UTC), "
            + "\(String(format: "%.1f", percentage))% of the \(usd(alert.budgetMicrodollars)) daily budget "
            + "(threshold \(String(format: "%g", fraction * 100))%)."
        if !alert.topJobs.isEmpty {
            line += " Costliest jobs: " + alert.topJobs.map { "\($0.jobID) \(usd($0.microdollars))" }.joined(separator: ", ") + "."
        }
        return line
    }

    /// Cents for amounts from a dollar up, four decimals below (small test and demo budgets).
    static func usd(_ microdollars: Int64) -> String {
        let dollars = Double(microdollars) / 1_000_000
        return "$" + String(format: microdollars >= 1_000_000 ? "%.2f" : "%.4f", dollars)
    }

    private struct Document: Encodable {
        struct Job: Encodable {
            let jobID: String
            let usd: Double

            enum CodingKeys: String, CodingKey {
                case jobID = "job_id"
                case usd
            }
        }

        let day: String
        let threshold: Double
        let spentUSD: Double
        let budgetUSD: Double
        let topJobs: [Job]

        enum CodingKeys: String, CodingKey {
            case day, threshold
            case spentUSD = "spent_usd"
            case budgetUSD = "budget_usd"
            case topJobs = "top_jobs"
        }

        init(_ alert: CostAlert) {
            day = alert.day
            threshold = Double(alert.threshold) ?? 0
            spentUSD = Double(alert.spentMicrodollars) / 1_000_000
            budgetUSD = Double(alert.budgetMicrodollars) / 1_000_000
            topJobs = alert.topJobs.map { Job(jobID: $0.jobID, usd: Double($0.microdollars) / 1_000_000) }
        }
    }

    private static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only strings and finite numbers: encoding cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
