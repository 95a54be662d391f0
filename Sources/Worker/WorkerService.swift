import CostTracker
import DecomposerCore
import Foundation
import Logging
import Redis
import ServiceLifecycle
import Storage
import Synchronization
import VertexClient
import SystemSupport

/// `decomposer worker`: claims jobs through the queue's leases and has at
/// most `concurrency` GPU calls in flight; a job's layers are saved outside
/// its call slot and, with a backlog, a few jobs are claimed ahead to prepare
/// their images before a slot frees (`JobSlots`). Idle, it blocks on Redis. On graceful shutdown
/// (SIGTERM/SIGINT) it stops claiming at once, lets running jobs finish for
/// `shutdownGrace`, then cancels them and hands their leases back so another
/// worker takes them immediately.
public struct WorkerService: Service {
    public let queue: JobQueue
    let runner: JobRunner
    let shutdownGrace: Duration
    let logger: Logger
    let state: WorkerState
    public let metrics: WorkerMetrics
    /// This worker's call slots, advertised to the fleet for queued jobs' ETA (`advertiseSlots`).
    let concurrency: Int
    let workerID = UUID()

    /// `costs` bills each call and, with a daily budget, holds the queue when it is spent; every
    /// worker honours a hold, whoever placed it (the claim script refuses to claim). `resultCache`:
    /// nil turns the result cache off (`CACHE_TTL_DAYS=0`).
    public init(
        queue: JobQueue, client: VertexPredictionClient, costs: CostTracker, storage: any StorageBackend,
        backoff: BackoffPolicy, maxImagePixels: Int, concurrency: Int, shutdownGrace: Duration,
        resultCache: ResultCachePolicy? = nil, metrics: WorkerMetrics = WorkerMetrics(), logger: Logger
    ) {
        self.queue = queue
        self.metrics = metrics
        self.runner = JobRunner(
            queue: queue, client: client, costs: costs, storage: storage,
            backoff: backoff, maxImagePixels: maxImagePixels,
            preparedImages: PreparedImageCache(capacityBytes: Self.preparedImageCacheBytes), resultCache: resultCache,
            metrics: metrics,
            logger: logger)
        self.concurrency = concurrency
        self.state = WorkerState(concurrency: concurrency, aheadLimit: Self.aheadLimit(concurrency))
        self.shutdownGrace = shutdownGrace
        self.logger = logger
    }

    /// Jobs claimed ahead of a free call slot (see `JobSlots`): enough to have an
    /// image ready for most slots as they free, few enough to hold little.
    static func aheadLimit(_ concurrency: Int) -> Int { max(1, concurrency / 4) }

    /// Memory for recently prepared request images (see `PreparedImageCache`):
    /// about forty at the 1.5 MB public-endpoint limit, six at 10 MB.
    static let preparedImageCacheBytes = 64 << 20

    public func run() async throws {
        // Loaded up front when Redis is there; otherwise on first use once it is back (a worker
        // inside `api --with-worker` must not end the process because Redis is down at start).
        do {
            try await queue.loadScripts()
        } catch {
            logger.warning("Queue scripts not loaded yet (Redis: \(error)); claiming starts when Redis is back")
        }
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await watchCancellations() }
            background.addTask { await QueueMaintenance(queue: queue, logger: logger).run() }
            background.addTask { await advertiseSlots() }
            await withGracefulShutdownHandler {
                await runClaimLoop()
            } onGracefulShutdown: {
                logger.notice("Shutting down: no new jobs are claimed")
                state.stopClaiming()
            }
            background.cancelAll()
        }
        _ = try? await queue.advertiseSlots(worker: workerID, slots: concurrency, timeToLive: .zero, withdraw: true)
        logger.notice("Worker stopped")
    }

    /// Whether this worker still takes jobs (readiness).
    public var isAcceptingJobs: Bool { !state.isStopping }
    public var jobsInFlight: Int { state.jobs }

    private func runClaimLoop() async {
        let connection = queue.redis.makeBlockingConnection(name: "worker-claim")
        defer { connection.close() }
        // Every claim's tokens: a claim whose reply is lost is asked again with them.
        let tokens = ClaimTokens()
        var changes = state.changes.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            // Starts counting the grace at the signal itself, even while every slot is busy.
            group.addTask {
                await state.waitForStop()
                guard (try? await Task.sleep(for: shutdownGrace)) != nil, state.jobs > 0 else { return }
                logger.warning("Grace period over: handing running jobs back", metadata: ["jobs": "\(state.jobs)"])
                state.cancelAll()
            }
            var redisDown = false
            while !state.isStopping && !Task.isCancelled {
                let free = state.freeCallSlots
                if free == 0 {
                    let ahead = state.mayClaimAhead ? await claimAhead(tokens) : []
                    for lease in ahead {
                        state.claimedAhead(lease.job.id)
                        group.addTask { await run(lease, claimedAhead: true) }
                    }
                    if !ahead.isEmpty { continue }
                    // A job's call returned or it ended, or shutdown began.
                    guard await changes.next() != nil else { break }
                    continue
                }
                let claim = Task {
                    try await queue.nextJobs(
                        waitingOn: connection, upTo: free, progress: 10, message: "Preparing image", tokens: tokens,
                        onHold: { message in reportHold(message) })
                }
                state.register(claim)
                let leases: [JobLease]
                do {
                    let claimed = try await claim.value
                    leases = claimed.leases
                    state.noteWaiting(claimed.waiting)
                    state.register(nil)
                    if redisDown { logger.notice("Redis is reachable again") }
                    redisDown = false
                } catch {
                    state.register(nil)
                    if state.isStopping || Task.isCancelled { break }
                    if !redisDown { logger.error("Cannot claim jobs", metadata: ["error": "\(error)"]) }
                    redisDown = true
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                if state.isStopping {
                    // Claimed as the shutdown began: give them straight back.
                    for lease in leases { try? await queue.release(lease, message: "Worker stopping; job queued again") }
                    break
                }
                // More than `free` only when a lost claim's jobs came back: the rest wait for a slot.
                for (index, lease) in leases.enumerated() {
                    let ahead = index >= free
                    if ahead { state.claimedAhead(lease.job.id) } else { state.claimed(lease.job.id) }
                    group.addTask { await run(lease, claimedAhead: ahead) }
                }
            }
            if tokens.hasUnanswered { await handBackUnanswered(tokens) }
            if state.jobs > 0 {
                logger.notice("Waiting for running jobs", metadata: ["jobs": "\(state.jobs)", "grace_s": "\(shutdownGrace.components.seconds)"])
            }
            while state.jobs > 0, await changes.next() != nil {}
            // Ends the grace timer; when the loop itself was cancelled, the running jobs too.
            group.cancelAll()
        }
    }

    /// Claims a job ahead of a free call slot, unless few jobs wait (then they are
    /// left to idle workers, and no claim ahead is tried until the next claim), the queue is held,
    /// or Redis is unreachable (the next claim says so).
    /// The jobs taken: one, or more when a lost claim's jobs came back (`ClaimTokens`).
    private func claimAhead(_ tokens: ClaimTokens) async -> [JobLease] {
        let claimed: ClaimedJobs?
        do {
            claimed = try await queue.claimAhead(
                progress: 10, message: "Preparing image", leavingWaiting: state.aheadLimit, tokens: tokens)
        } catch {
            return []
        }
        // Nothing taken: at most `aheadLimit` wait (or the queue is held), as far as this worker knows.
        state.noteWaiting(claimed?.waiting ?? 0)
        return claimed?.leases ?? []
    }

    /// Stopping right after a claim whose reply was lost: the jobs it took go back to the front of
    /// the queue now instead of when their lease runs out. One try (Redis may be what is down); a
    /// claim ahead that leaves every waiting job takes nothing new.
    private func handBackUnanswered(_ tokens: ClaimTokens) async {
        guard let claimed = try? await queue.claimAhead(
            progress: 10, message: "Preparing image", leavingWaiting: Int.max, tokens: tokens)
        else { return }
        for lease in claimed.leases {
            try? await queue.release(lease, message: "Worker stopping; job queued again")
            logger.notice("Handed back a job whose claim reply was lost", metadata: ["job_id": "\(lease.job.id.lowercasedString)"])
        }
    }

    /// A job in its own task, registered so a cancellation can reach it.
    private func run(_ lease: JobLease, claimedAhead: Bool) async {
        let id = lease.job.id
        let task = Task {
            await runner.run(
                lease,
                waitForCallSlot: { if claimedAhead { try await state.waitForCallSlot(id) } },
                onCallEnded: { state.callEnded(id) })
        }
        state.track(id, task)
        metrics.inFlight.set(Int64(state.jobs))
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        state.ended(id)
        metrics.inFlight.set(Int64(state.jobs))
    }

    /// A hold began (`message`, the daily budget is spent) or ended (nil): said once each.
    private func reportHold(_ message: String?) {
        metrics.budgetExhausted.set(Int64(message == nil ? 0 : 1))
        if let message {
            logger.warning("The queue is held: claiming nothing until it ends", metadata: ["reason": "\(message)"])
        } else {
            logger.notice("The queue hold ended: claiming again")
        }
    }

    /// Queue depth by state, read at scrape time.
    func refreshQueueGauges() async {
        guard let queueDepth = metrics.queueDepth, let counts = try? await queue.counts() else { return }
        queueDepth.record(counts)
    }

    /// A user's cancel of a job this worker runs aborts it at once; the cancellations channel
    /// carries only those, so this costs nothing per job event of the fleet.
    private func watchCancellations() async {
        for await id in queue.cancellations() where state.cancel(id) {
            logger.notice("Job cancelled by request; aborting it", metadata: ["job_id": "\(id.lowercasedString)"])
        }
    }
}
