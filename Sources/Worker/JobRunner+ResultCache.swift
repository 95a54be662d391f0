import DecomposerCore
import Foundation
import Logging
import Storage
import SystemSupport

/// The result cache in a job's run: after its image is prepared and it holds a call slot, a job
/// whose digest has a completed result is completed from it (layers copied, no call); one whose
/// twin is calling the endpoint now waits for that call; otherwise it calls, and its completion
/// becomes the digest's entry.
extension JobRunner {
    /// What the cache left a job to do.
    enum CacheAnswer {
        /// Completed from the cache (its stages: `processing` 10% "Preparing image" → `completed` 100%, `cached`).
        case completed
        /// This job calls the endpoint (it holds the digest's flight), perhaps after waiting for a twin.
        case call
    }

    func answerFromCache(
        _ lease: JobLease, digest: String, into set: LayerSet, policy: ResultCachePolicy, logger: Logger
    ) async throws -> CacheAnswer {
        var stale: UUID?
        var waitingFor: UUID?
        while true {
            let found = try await fenced(logger) { try await queue.lookUpResult(lease, digest: digest, staleSource: stale) }
            switch found {
            case .yours:
                return .call
            case .running(let claimant):
                if waitingFor != claimant {
                    waitingFor = claimant
                    logger.info("An identical job is calling the endpoint; waiting for its result", metadata: ["claimant": "\(claimant.lowercasedString)"])
                    try await fenced(logger) {
                        try await queue.reportProgress(
                            lease, progress: 10,
                            message: "Waiting for job \(claimant.lowercasedString), which is decomposing the same image")
                    }
                }
                try await Task.sleep(for: policy.pollInterval)
            case .hit(let cached):
                let source = LayerSet(jobID: cached.sourceJobID, attempt: cached.sourceAttempt)
                // A bucket out of reach is waited out like any save; a layer that is gone is a miss.
                let copied: [LayerResult]? = try await savingThroughStorageOutage(logger) {
                    do {
                        return try await storage.copyLayers(cached.layers, from: source, to: set)
                    } catch StorageError.notFound(let what) {
                        logger.warning("A cached result's layers are gone; calling the endpoint instead", metadata: ["missing": "\(what)"])
                        return nil
                    }
                }
                guard let copied else {
                    stale = cached.sourceJobID
                    continue
                }
                try await fenced(logger) { try await costs.completeFromCache(lease, layers: copied, attempt: set.attempt ?? 1, cached: cached) }
                metrics.completed.increment()
                metrics.cacheHits.increment()
                logger.info("Completed from the result cache", metadata: ["source_job": "\(cached.sourceJobID.lowercasedString)"])
                return .completed
            }
        }
    }
}
