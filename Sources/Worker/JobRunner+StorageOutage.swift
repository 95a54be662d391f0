import DecomposerCore
import Logging
import Storage

/// How a job rides out a storage outage (a bucket out of reach, or refusing for now): it is
/// delayed, never failed for good, and never uses up its endpoint retries for it. Only a missing
/// upload (`StorageError.notFound`) fails a job, as `upload_missing`.
extension JobRunner {
    /// How long a job whose upload cannot be read waits before another worker tries again.
    static let storageWait = Duration.seconds(5)

    /// The upload cannot be read for now: back to the queue for a short wait that is not an
    /// attempt (`postpone`), so an outage of any length delays the job without failing it.
    func waitForStorage(_ lease: JobLease, reason: String, logger: Logger) async throws {
        let seconds = Self.storageWait.components.seconds
        try await fenced(logger) {
            try await queue.postpone(
                lease, after: Self.storageWait, message: "Waiting for storage to be reachable; retrying in \(seconds) s")
        }
        metrics.retried.increment()
        logger.warning("Storage unavailable; the job waits", metadata: ["error": "\(reason)", "delay_s": "\(seconds)"])
    }

    /// Saves a reply already in hand: while storage is out of reach the writes are tried again,
    /// pauses growing to 5 s, for as long as the job keeps its lease (renewed beside this), so
    /// the endpoint is never called again for it. A lost lease or a shutdown cancels the wait.
    func savingThroughStorageOutage<T: Sendable>(_ logger: Logger, _ save: () async throws -> T) async throws -> T {
        var pause = Duration.milliseconds(200)
        var waiting = false
        while true {
            do {
                let value = try await save()
                if waiting { logger.notice("Storage is reachable again; the layers are saved") }
                return value
            } catch let error as StorageError {
                // Out of reach, or refusing for now: the reply is not thrown away for either.
                if !waiting { logger.warning("Storage unavailable; keeping the layers and trying again", metadata: ["error": "\(error)"]) }
                waiting = true
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}
