/// The cost-alert thresholds a cost record is checked against, in micro-dollars of the day's
/// spend: the record that first crosses one appends its alert to the outbox (`recordAttempt`).
/// The caller computes them from `COST_ALERT_THRESHOLDS` × `DAILY_BUDGET_USD`, so the script
/// stays generic.
public struct CostAlertThresholds: Sendable, Equatable {
    public struct Threshold: Sendable, Equatable {
        /// The fraction of the budget as the alert names it (`0.8`); once a day per label.
        public var label: String
        /// The day's spend at which it fires.
        public var microdollars: Int64

        public init(label: String, microdollars: Int64) {
            self.label = label
            self.microdollars = microdollars
        }
    }

    public var thresholds: [Threshold]
    /// How long the outbox outlives its last new alert: past the give-up age, nothing in it is
    /// still to be sent, so an outbox nobody delivers from any more is removed by Redis.
    public var outboxRetention: Duration

    public init(thresholds: [Threshold], outboxRetention: Duration) {
        self.thresholds = thresholds
        self.outboxRetention = outboxRetention
    }
}
