/// Jobs by state right now, lifetime counters, and whether a worker could take a job now.
public struct QueueCounts: Sendable, Equatable {
    public var waiting: Int
    /// Jobs waiting out a retry backoff (or a postponement), due or not.
    public var delayed: Int
    public var active: Int
    public var dead: Int
    public var totals: [String: Int64]
    /// Delayed jobs whose time has come: the next claim or sweep moves them to the wait list.
    public var dueRetries: Int
    /// The daily budget is spent (`{prefix}:queue:hold` exists): the claim script hands out nothing.
    public var held: Bool
    /// A 429 paused the fleet (`{prefix}:gpu:paused_until` is later than now on the queue's clock):
    /// workers wait it out before calling the endpoint.
    public var fleetPaused: Bool
    /// An operator paused the queue (`{prefix}:queue:operator-pause` exists): the claim script
    /// hands out nothing until `decomposer queue resume`.
    public var operatorPaused: Bool

    public init(
        waiting: Int, delayed: Int, active: Int, dead: Int, totals: [String: Int64], dueRetries: Int = 0,
        held: Bool = false, fleetPaused: Bool = false, operatorPaused: Bool = false
    ) {
        self.waiting = waiting
        self.delayed = delayed
        self.active = active
        self.dead = dead
        self.totals = totals
        self.dueRetries = dueRetries
        self.held = held
        self.fleetPaused = fleetPaused
        self.operatorPaused = operatorPaused
    }

    /// Whether a job taken now could go to the endpoint now: no budget hold, no operator's pause,
    /// no fleet pause.
    public var claimable: Bool { !held && !operatorPaused && !fleetPaused }

    /// The jobs that need a worker now — what an autoscaler should size the workers by
    /// (`decomposer_queue_demand_jobs`, KEDA's trigger in deploy/kubernetes).
    ///
    /// Running jobs always count: a scaler that saw only waiting jobs would scale workers down as
    /// soon as every job was claimed, and the pods it stopped would hand their jobs back after
    /// `SHUTDOWN_GRACE_SECONDS` — GPU calls billed and run again. Waiting jobs (and retries that
    /// have fallen due, which nothing moves to the wait list while no worker runs) count only while
    /// the queue is claimable: during a budget hold or an operator's pause no worker may take them, and during a fleet
    /// pause every worker waits anyway, so more workers would cost pods and do nothing. Retries
    /// still backing off are not demand until they fall due.
    public var demand: Int { active + (claimable ? waiting + dueRetries : 0) }
}
