/// The wait before retry number `attempt` of an outbox delivery (cost alerts, webhooks).
public enum Backoff {
    /// After failed try `attempt` (1 = the first): `base` doubled per try up to `cap`, with "equal
    /// jitter" — half fixed, half `random` (0..<1) — so senders that failed together (a receiver's
    /// outage) do not all come back at the same moment, and none comes back at once.
    public static func equalJitter(afterAttempt attempt: Int, base: Duration, cap: Duration, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(Double(cap.milliseconds), Double(base.milliseconds) * Double(1 << exponent))
        let jitter = min(max(random, 0), 1)
        return .milliseconds(Int64((ceiling / 2 + ceiling / 2 * jitter).rounded()))
    }
}
