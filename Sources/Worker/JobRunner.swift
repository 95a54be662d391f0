import CostTracker
import DecomposerCore
import Foundation
import Logging
import Redis
import Storage
import VertexClient
import SystemSupport

/// Runs one claimed job to an end: `processing` 10% "Preparing image" →
/// 30% "Running on GPU" → 80% "Saving layers" → `completed` 100% "Done" (or, from the result
/// cache, 10% → `completed` 100%).
/// Every outcome is written through the queue's fenced scripts, so a runner
/// that lost its lease or whose job was cancelled changes nothing.
struct JobRunner: Sendable {
    let queue: JobQueue
    let client: VertexPredictionClient
    let costs: CostTracker
    let storage: any StorageBackend
    let backoff: BackoffPolicy
    let maxImagePixels: Int
    let preparedImages: PreparedImageCache
    /// Nil: the result cache is off (`CACHE_TTL_DAYS=0`).
    let resultCache: ResultCachePolicy?
    let metrics: WorkerMetrics
    let logger: Logger

    /// Why a run stopped early; anything else is written to the job.
    enum Stop: Error {
        case leaseGone(QueueError)
    }

    /// `waitForCallSlot`: returns once the job may call the endpoint (a job
    /// claimed ahead prepares its image first);
    /// `onCallEnded`: the endpoint has answered (its reply's head is in, called on the HTTP
    /// client's thread); the rest is receiving and saving the layers.
    func run(
        _ lease: JobLease, waitForCallSlot: @escaping @Sendable () async throws -> Void,
        onCallEnded: @escaping @Sendable () -> Void
    ) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job_id"] = "\(lease.job.id.lowercasedString)"
        let logger = jobLogger
        do {
            try await withLeaseRenewal(lease, logger: logger) {
                try await process(lease, waitForCallSlot: waitForCallSlot, onCallEnded: onCallEnded, logger: logger)
            }
        } catch is CancellationError {
            // Shutdown past the grace period (or a user cancel): hand the job back.
            // A cancelled job refuses the release, which is what we want.
            do {
                try await queue.release(lease)
                metrics.handedBack.increment()
                logger.notice("Handed the job back to the queue")
            } catch {
                logger.info("Job not handed back", metadata: ["reason": "\(error)"])
            }
        } catch Stop.leaseGone(let reason) {
            logger.notice("Stopped: the job is no longer ours", metadata: ["reason": "\(reason)"])
        } catch {
            // Not the endpoint's fault (a full disk, Redis down mid-run): try again later rather
            // than leave the job to wait out its lease.
            logger.error("Job run failed unexpectedly; retrying later", metadata: ["error": "\(error)"])
            let delay = backoff.ceiling(forRetry: lease.job.attempts)
            _ = try? await queue.retry(
                lease, error: JobError(code: "worker_error", message: "The worker could not finish the job: \(error)"),
                after: delay, message: "Worker error; retrying in \(delay.components.seconds) s")
        }
    }

    private func process(
        _ lease: JobLease, waitForCallSlot: @Sendable () async throws -> Void,
        onCallEnded: @escaping @Sendable () -> Void,
        logger: Logger
    ) async throws {
        let job = lease.job
        let prepared: PreparedImage
        do {
            prepared = try await preparedImage(for: job)
        } catch StorageError.notFound {
            return try await fail(lease, JobError(code: "upload_missing", message: "The uploaded file \(job.fileID.lowercasedString) no longer exists"), logger)
        } catch let error as StorageError {
            // Out of reach, or refusing for now (a permission being fixed): a wait, never a failure.
            return try await waitForStorage(lease, reason: "\(error)", logger: logger)
        } catch let error as VertexError {
            return try await fail(lease, JobError(code: error.code.rawValue, message: error.message), logger)
        } catch {
            return try await fail(lease, JobError(code: "invalid_image", message: "The uploaded image cannot be read: \(error)"), logger)
        }
        logger.info("Prepared image", metadata: ["bytes": "\(prepared.bytes.count)", "saved": "\(prepared.bytesSaved)", "note": "\(prepared.note)"])

        try await waitForCallSlot()
        // Each attempt stores its layers in a folder of its own (`LayerSet`).
        let attempt = job.attempts + 1
        let layerSet = LayerSet(jobID: job.id, attempt: attempt)
        // Asked once the job holds a call slot: a job that owns its digest's flight always has
        // one, so the twins waiting for it can never keep it from calling.
        var caching: (digest: String, policy: ResultCachePolicy)?
        if let policy = resultCache, job.cacheAllowed {
            let endpoint = client.endpoint
            let digest = try await ComputePool.shared.run {
                policy.digest(image: prepared.bytes, layers: job.numLayers, resolution: job.resolution, endpoint: endpoint)
            }
            switch try await answerFromCache(lease, digest: digest, into: layerSet, policy: policy, logger: logger) {
            case .completed:
                return
            case .call:
                caching = (digest, policy)
            }
        }
        // A fleet pause (another job's 429) is honoured here, however long the job waited for its
        // slot or a twin: the script that records the call refuses while the pause lasts.
        while case .paused(let remaining) = try await fenced(logger, { try await queue.startCall(lease) }) {
            try await Task.sleep(for: remaining)
        }
        let started = ContinuousClock.now
        // Billed: the call until its reply came in (decoding the reply is the worker's time).
        var repliedAt: ContinuousClock.Instant?
        var callDuration: Duration { (repliedAt ?? .now) - started }
        let response: PredictionResponse
        do {
            // The endpoint is done with this job once its answer starts: the call's slot may take
            // the next job while the layers are still arriving (`JobSlots`).
            let reply = try await withElapsedUpdates(lease) {
                try await client.call(
                    PredictionRequest(image: prepared.bytes, layers: job.numLayers, resolution: job.resolution),
                    onReplyStarted: onCallEnded)
            }
            repliedAt = .now
            // Megabytes of base64: decoded off the concurrency pool, ahead of other jobs' long stages.
            response = try await ComputePool.shared.run(.first) { try reply.decode() }
        } catch let error as VertexError {
            if error.reachedEndpoint { await recordCost(job.id, attempt: attempt, callDuration, succeeded: false, logger) }
            return try await handle(error, lease: lease, attempt: attempt, logger: logger)
        } catch let cancelled as PredictionCallCancelled {
            // Billed like any other call only when the request had gone out.
            if cancelled.reachedEndpoint { await recordCost(job.id, attempt: attempt, callDuration, succeeded: false, logger) }
            throw CancellationError()
        }

        // While the layers are checked, the call is billed and the files go to disk under
        // temporary names; only once every layer is valid are they put in place.
        let billable = callDuration
        async let billed: Void = recordCost(job.id, attempt: attempt, billable, succeeded: true, logger)
        async let staging = storage.stageLayers(response.layers, as: layerSet)
        let layers: [LayerToStore]
        do {
            // Their number was checked as the reply was decoded.
            let limit = maxImagePixels
            layers = try await ComputePool.shared.map(response.layers) { index, bytes in
                let layer = try LayerValidation.validate(layer: bytes, index: index, maxPixels: limit)
                return LayerToStore(png: layer.png, width: layer.width, height: layer.height)
            }
        } catch {
            await billed
            if let staged = try? await staging { await storage.discard(staged) }
            guard let error = error as? VertexError else { throw error }
            return try await handle(error, lease: lease, attempt: attempt, logger: logger)
        }
        await billed
        let staged = try await staging
        let results: [LayerResult]
        do {
            try await fenced(logger) { try await queue.reportProgress(lease, progress: 80, message: "Saving layers") }
            results = try await savingThroughStorageOutage(logger) { try await storage.commitLayers(staged, layers) }
        } catch {
            await storage.discard(staged)
            throw error
        }
        let record = caching.map {
            ResultCacheRecord(
                digest: $0.digest, timeToLive: $0.policy.timeToLive, callMicrodollars: costs.rate.cost(of: billable),
                deployedModelID: response.deployedModelID)
        }
        try await fenced(logger) { try await queue.complete(lease, layers: results, attempt: attempt, caching: record) }
        metrics.completed.increment()
        logger.info("Completed", metadata: ["layers": "\(results.count)", "attempt": "\(attempt)"])
    }

    /// The request image for `job`: the one prepared earlier for the same upload
    /// and parameters (a retry, a repeat), or a new one made on the compute pool.
    /// - Throws: `StorageError.notFound` (no such upload) or `.unavailable` (storage out of reach).
    private func preparedImage(for job: Job) async throws -> PreparedImage {
        let maxBytes = client.maxRequestBytes
        let limit = maxImagePixels
        let upload = try await storage.upload(job.fileID)
        let key = PreparedImageCache.Key(
            path: upload.name, size: upload.size, modified: upload.version, resolution: job.resolution,
            layers: job.numLayers, maxRequestBytes: maxBytes, maxPixels: limit)
        if let cached = preparedImages.image(for: key) { return cached }
        let bytes = try await storage.read(upload)
        let prepared = try await ComputePool.shared.run {
            try ImagePreparation.prepare(
                bytes, resolution: job.resolution, layers: job.numLayers, maxRequestBytes: maxBytes, maxPixels: limit)
        }
        preparedImages.insert(prepared, for: key)
        return prepared
    }

    /// A failed call: retry later (durably, in Redis) or fail the job.
    private func handle(_ error: VertexError, lease: JobLease, attempt: Int, logger: Logger) async throws {
        let jobError = JobError(code: error.code.rawValue, message: error.message, googleStatus: error.googleStatus)
        // The job's age on the clock that dated its creation (Redis's), whatever this machine's says.
        // A job an operator retried has a fresh allowance: its retries and its deadline count from then.
        let now = try await ridingOutRedisOutage(logger) { try await queue.now() }
        let start = lease.job.retriedAt ?? lease.job.createdAt
        let elapsed = Duration.milliseconds(now.millisecondsSince1970 - start.millisecondsSince1970)
        let counted = attempt - lease.job.attemptsBeforeRetry
        let decision = backoff.decision(afterAttempt: counted, error: error, elapsedSinceJobCreated: elapsed)
        if error.code == .gpuRateLimited {
            // The whole fleet holds off, for as long as the endpoint asked — also when this job
            // gives up: the limit is the endpoint's, and the other jobs would only earn more 429s.
            let wait = switch decision {
            case .retry(let delay): error.retryAfter ?? delay
            case .giveUp: error.retryAfter ?? backoff.ceiling(forRetry: attempt - 1)
            }
            try? await queue.pauseFleet(for: wait)
        }
        switch decision {
        case .retry(let delay):
            let message = backoff.message(for: error, delay: delay, nextAttempt: counted + 1)
            let outcome = try await fenced(logger) { try await queue.retry(lease, error: jobError, after: delay, message: message) }
            (outcome == .scheduled ? metrics.retried : metrics.failed).increment()
            logger.warning("Attempt failed; retry scheduled", metadata: ["error": "\(error)", "delay_ms": "\(delay.milliseconds)", "outcome": "\(outcome)"])
        case .giveUp(let reason):
            logger.error("Job failed", metadata: ["reason": "\(reason)"])
            try await fail(lease, jobError, logger)
        }
    }

    private func fail(_ lease: JobLease, _ error: JobError, _ logger: Logger) async throws {
        try await fenced(logger) { try await queue.fail(lease, error: error) }
        metrics.failed.increment()
        logger.error("Failed", metadata: ["code": "\(error.code)", "message": "\(error.message)"])
    }

    /// Bills the call — attempt `attempt` of the job, billed once however often the record is
    /// sent, so while Redis is down (or restarting with the record in flight) it waits for it.
    /// The record that spends the daily budget holds the queue: every worker stops claiming.
    private func recordCost(
        _ jobID: UUID, attempt: Int, _ duration: Duration, succeeded: Bool, _ logger: Logger
    ) async {
        metrics.endpointCalls.record(duration)
        do {
            let billing = try await ridingOutRedisOutage(logger) {
                try await costs.recordAttempt(jobID: jobID, attempt: attempt, duration: duration, succeeded: succeeded)
            }
            if let annotated = billing.holdPlacedOnJobs {
                logger.warning("\(costs.budgetHoldMessage): the queue is held, \(annotated) queued jobs wait")
            }
        } catch {
            logger.error("Could not record the attempt's cost", metadata: ["error": "\(error)"])
        }
    }
}
