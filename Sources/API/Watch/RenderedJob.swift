import DecomposerCore

/// A job version with the WebSocket message that carries it. The hub renders
/// each change once for all of that job's watchers: with thousands watching,
/// encoding the same JSON per watcher was most of the fan-out's work.
struct RenderedJob: Sendable {
    let job: Job
    let text: String

    init(_ job: Job, place: QueuePlace? = nil) {
        self.job = job
        self.text = JobRepresentation(job: job, place: place).text
    }
}
