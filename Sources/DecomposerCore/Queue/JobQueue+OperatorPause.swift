import Redis
import SystemSupport

/// What `decomposer queue status` shows: the operator's pause and the budget hold, side by side
/// (either stops every claim; `queue resume` lifts only the first).
public struct QueuePauseState: Sendable, Equatable {
    /// The operator's message while paused (`queue pause`), else nil.
    public var operatorMessage: String?
    /// The budget hold's message while the daily budget is spent, else nil.
    public var holdMessage: String?
    /// How long the budget hold lasts still (nil without one).
    public var holdRemaining: Duration?

    public init(operatorMessage: String?, holdMessage: String?, holdRemaining: Duration?) {
        self.operatorMessage = operatorMessage
        self.holdMessage = holdMessage
        self.holdRemaining = holdRemaining
    }
}

/// What `queue resume` did.
public struct ResumeOutcome: Sendable, Equatable {
    /// False when the queue was not paused by an operator (nothing changed).
    public var wasPaused: Bool
    /// Queued jobs whose message was set back.
    public var annotated: Int
    /// A budget hold still stops claims (resume never lifts it).
    public var stillHeld: Bool

    public init(wasPaused: Bool, annotated: Int, stillHeld: Bool) {
        self.wasPaused = wasPaused
        self.annotated = annotated
        self.stillHeld = stillHeld
    }
}

extension JobQueue {
    /// The message waiting jobs show again once nothing stops claims.
    public static let waitingMessage = "Waiting for a worker"

    /// Pauses the whole fleet until `resumeQueue()`: the claim script refuses from now on (running
    /// jobs finish) and queued jobs show `message`. Returns how many queued jobs were annotated.
    @discardableResult
    public func pauseQueue(message: String) async throws(QueueError) -> Int {
        let reply = try await run(QueueScripts.pauseQueue, keys: [keys.operatorPause], [message])
        return Int(try reply.integer(0))
    }

    /// Lifts the operator's pause (never a budget hold) and wakes idle workers.
    @discardableResult
    public func resumeQueue(maxWakeUps: Int = 1000) async throws(QueueError) -> ResumeOutcome {
        let reply = try await run(
            QueueScripts.resumeQueue, keys: [keys.operatorPause], [Self.waitingMessage, String(maxWakeUps)])
        guard reply.tag == "resumed" || reply.tag == "not-paused" else { throw reply.unexpected() }
        return ResumeOutcome(
            wasPaused: reply.tag == "resumed", annotated: Int(try reply.integer(0)), stillHeld: try reply.integer(1) == 1)
    }

    /// The operator's pause and the budget hold as they are now (one pipeline of reads).
    public func pauseState() async throws(QueueError) -> QueuePauseState {
        do {
            let replies = try await redis.pipeline([["GET", keys.operatorPause], ["GET", keys.hold], ["PTTL", keys.hold]])
            let holdMessage = replies[1].string
            let remaining = replies[2].int.flatMap { $0 >= 0 ? Duration.milliseconds($0) : nil }
            return QueuePauseState(
                operatorMessage: replies[0].string, holdMessage: holdMessage, holdRemaining: holdMessage == nil ? nil : remaining)
        } catch {
            throw .redis(error)
        }
    }
}
