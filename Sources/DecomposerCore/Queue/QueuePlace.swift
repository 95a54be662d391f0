/// Where a queued job stands (`JobQueue.places(of:)`): its place in the line with an estimate of
/// the wait, or why it has none (a retry waiting out its backoff, the queue held by the budget).
public enum QueuePlace: Sendable, Equatable {
    /// `position` 1 is the next job claimed; `etaSeconds` is nil until the fleet has advertised
    /// call slots and a call duration has been recorded.
    case waiting(position: Int, etaSeconds: Int?)
    /// A retry in `delayed`: it rejoins the line when its backoff ends.
    case retryBackoff
    /// The daily budget is spent: nothing is claimed until the hold ends.
    case budgetHold
    /// An operator paused the queue (`decomposer queue pause`): nothing is claimed until resumed.
    case operatorPause
    /// Not waiting (claimed, finished, cancelled, or unknown).
    case notWaiting

    /// The JSON field `waiting_reason` (nil while the job has a position).
    public var waitingReason: String? {
        switch self {
        case .retryBackoff: "retry_backoff"
        case .budgetHold: "budget_hold"
        case .operatorPause: "operator_pause"
        case .waiting, .notWaiting: nil
        }
    }

    /// ceil(position / slots) × the average call: the calls that must end before this job gets a slot.
    public static func eta(position: Int, slots: Int, averageCallMilliseconds: Int64?) -> Int? {
        guard slots > 0, let average = averageCallMilliseconds, average > 0 else { return nil }
        let rounds = Int64((position + slots - 1) / slots)
        return Int((rounds * average + 999) / 1000)
    }
}
