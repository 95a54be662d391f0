import Foundation
import Testing
import TestSupport

/// A cost-alert setting that cannot work stops every command at start-up with exit code 2 and
/// one line naming the key, never the webhook URL's secret.
@Suite struct CostAlertStartUpTests {
    @Test func aMalformedWebhookURLIsExitCode2WithoutEchoingIt() async throws {
        let result = try await runDecomposer(["worker"], environment: [
            "COST_ALERT_WEBHOOK_URL": "hooks.slack.com/services/T0/B0/s3cr3t", "DAILY_BUDGET_USD": "50",
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("COST_ALERT_WEBHOOK_URL must be an http:// or https:// URL"))
        #expect(!result.standardError.contains("s3cr3t"))
    }

    @Test func aWebhookWithoutABudgetIsExitCode2() async throws {
        let result = try await runDecomposer(["api"], environment: [
            "COST_ALERT_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/s3cr3t",
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("COST_ALERT_WEBHOOK_URL must be set together with DAILY_BUDGET_USD"))
        #expect(!result.standardError.contains("s3cr3t"))
    }

    @Test func badThresholdsAreExitCode2() async throws {
        let result = try await runDecomposer(["doctor"], environment: ["COST_ALERT_THRESHOLDS": "0.5,0"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("COST_ALERT_THRESHOLDS must be comma-separated fractions of DAILY_BUDGET_USD"))
    }
}
