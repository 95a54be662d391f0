import DecomposerCore
import Foundation
import Testing

/// `COST_ALERT_*`: a bad value stops start-up naming the key (exit code 2 in every command).
@Suite struct CostAlertSettingsTests {
    @Test func defaultsAreOffWithTheDocumentedThresholds() throws {
        let settings = try DecomposerConfiguration(ConfigurationValues(environment: [:])).costAlerts
        #expect(settings.webhookURL == nil)
        #expect(settings.thresholds == [0.5, 0.8, 1.0])
        #expect(settings.format == .json)
    }

    @Test func thresholdsAreSortedAndDeduplicated() throws {
        let configuration = try DecomposerConfiguration(ConfigurationValues(environment: [
            "COST_ALERT_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/secret", "DAILY_BUDGET_USD": "50",
            "COST_ALERT_THRESHOLDS": " 1, 0.25,0.9 ,0.25", "COST_ALERT_FORMAT": "Slack",
        ]))
        #expect(configuration.costAlerts.thresholds == [0.25, 0.9, 1.0])
        #expect(configuration.costAlerts.format == .slack)
        #expect(configuration.costAlerts.webhookURL?.host == "hooks.slack.com")
        #expect(CostAlertSettings.label(1) == "1.0" && CostAlertSettings.label(0.25) == "0.25")
    }

    @Test(arguments: [
        ("COST_ALERT_WEBHOOK_URL", "hooks.slack.com/services/x", "http:// or https:// URL"),
        ("COST_ALERT_WEBHOOK_URL", "ftp://example.com/hook", "http:// or https:// URL"),
        ("COST_ALERT_WEBHOOK_URL", "https:///no-host", "http:// or https:// URL"),
        ("COST_ALERT_THRESHOLDS", "0.5,eighty", "each a number > 0"),
        ("COST_ALERT_THRESHOLDS", "0,0.5", "each a number > 0"),
        ("COST_ALERT_THRESHOLDS", "-0.5", "each a number > 0"),
        ("COST_ALERT_THRESHOLDS", "0.5,,1", "each a number > 0"),
        ("COST_ALERT_THRESHOLDS", "nan", "each a number > 0"),
        ("COST_ALERT_FORMAT", "teams", "json or slack"),
    ])
    func aBadValueNamesItsKeyAndWhatWasExpected(key: String, value: String, expected: String) {
        var environment = [key: value, "DAILY_BUDGET_USD": "50"]
        if key != "COST_ALERT_WEBHOOK_URL" { environment["COST_ALERT_WEBHOOK_URL"] = "https://alerts.example.com/hook" }
        #expect {
            try DecomposerConfiguration(ConfigurationValues(environment: environment))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            // A webhook URL is never echoed (it may hold a secret); other values are.
            let echoed = error.description.contains(value)
            return error.key == key && error.expected.contains(expected) && echoed == (key != "COST_ALERT_WEBHOOK_URL")
        }
    }

    @Test func tooManyThresholdsAreRefused() {
        let many = (1...21).map { String(Double($0) / 10) }.joined(separator: ",")
        #expect(throws: ConfigurationError.self) {
            try DecomposerConfiguration(ConfigurationValues(environment: ["COST_ALERT_THRESHOLDS": many]))
        }
    }

    /// Thresholds are fractions of the budget: a receiver without a budget is an error, and its
    /// message shows the URL's scheme and host only (its path may be a secret).
    @Test func aWebhookWithoutABudgetIsAnErrorThatKeepsItsSecret() {
        #expect {
            try DecomposerConfiguration(ConfigurationValues(environment: [
                "COST_ALERT_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/s3cr3t",
            ]))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == "COST_ALERT_WEBHOOK_URL" && error.expected.contains("DAILY_BUDGET_USD")
                && !error.description.contains("s3cr3t") && error.description.contains("https://hooks.slack.com")
        }
    }
}
