import DecomposerCore
import NIOCore

/// A job version with the WebSocket message that carries it. The hub renders
/// each change once for all of that job's watchers: with thousands watching,
/// encoding the same JSON per watcher was most of the fan-out's work. A class, so handing
/// it to each watcher is one retain, not a copy of every field of the job; the message's
/// whole WebSocket frame is one buffer every watcher's socket is written from, not a copy per socket.
final class RenderedJob: Sendable {
    let job: Job
    let frame: ByteBuffer

    init(_ job: Job, place: QueuePlace? = nil) {
        self.job = job
        self.frame = WebSocketTextFrame.encode(JobRepresentation(job: job, place: place).bytes)
    }

    /// The message's text, for the admin page's feed: read back from the frame only there, not for
    /// every change a watcher is sent.
    var text: String { WebSocketTextFrame.text(of: frame) }
}
