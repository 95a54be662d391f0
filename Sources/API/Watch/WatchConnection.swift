import DecomposerCore
import Foundation
import NIOCore
import NIOWebSocket

/// One watcher's WebSocket after the upgrade, living on its channel's event loop with no task of
/// its own: an idle watcher costs this object, its channel and a ping timer. The hub hands it
/// signals (`JobWatcher`); it writes the snapshot, then every version in order with no gap and no
/// duplicate, reading the job's event stream (a short task) only to fill a gap or resync.
///
/// It speaks the server's half of RFC 6455 itself: answers pings, pings an idle client every
/// `pingInterval` (a client that has not answered the previous ping is gone: the connection
/// closes), echoes the client's close, and closes with 1000 after the terminal state, 1001 on
/// shutdown, 4404 for an unknown job and 1013 when the socket cannot keep up.
final class WatchConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let target: WatchTarget
    private let queue: JobQueue
    private let hub: JobWatchHub
    private let pingInterval: TimeAmount

    private var context: ChannelHandlerContext?
    /// The frame encoder's place in the pipeline: messages (`WebSocketTextFrame`) are written from
    /// there, below the encoder; control frames go through it.
    private var encoder: ChannelHandlerContext?
    private var token: Int?
    private var phase = Phase.opening
    /// Signals that arrived while the snapshot or a gap fill was being read, in order.
    private var held: [JobWatchHub.Signal] = []
    private var tracker = JobVersionTracker(delivered: 0)
    private var latest: Job?
    /// Messages written since the socket stopped draining (NIO's high-water mark): the next one
    /// past the hub's backlog limit is not written; the watcher is lagging.
    private var writtenWhileBlocked = 0
    private var awaitingPong = false
    private var pinger: RepeatedTask?
    private var closeDeadline: Scheduled<Void>?

    private enum Phase {
        /// Registered; the snapshot is being read.
        case opening
        case live
        /// A gap fill or resync is being read.
        case filling
        /// Our close frame is sent: nothing more is written.
        case closing
        case closed
    }

    init(target: WatchTarget, queue: JobQueue, hub: JobWatchHub, pingInterval: TimeAmount) {
        self.target = target
        self.queue = queue
        self.hub = hub
        self.pingInterval = pingInterval
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard let encoder = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self) else {
            // Only ever added after the upgrader's frame encoder: without it nothing could be sent.
            assertionFailure("WatchConnection needs a WebSocketFrameEncoder before it")
            return context.close(promise: nil)
        }
        self.encoder = encoder
        let watcher = JobWatcher(connection: NIOLoopBound(self, eventLoop: context.eventLoop))
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: pingInterval, delay: pingInterval) { _ in
            watcher.connection.value.ping()
        }
        guard case .job(let jobID) = target else {
            return notFound(nil)
        }
        guard let token = hub.register(jobID, watcher: watcher) else {
            return close(.goingAway, reason: "server shutting down")
        }
        self.token = token
        read({ [queue] in
            guard let job = try await queue.job(jobID) else { return nil }
            let place = job.status == .queued ? try await queue.places(of: [jobID])[jobID] : nil
            return (job, place)
        }, then: { connection, snapshot in connection.open(with: snapshot) })
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pinger?.cancel()
        closeDeadline?.cancel()
        phase = .closed
        unregister()
        self.context = nil
        encoder = nil
    }

    private func unregister() {
        guard case .job(let jobID) = target, let token else { return }
        hub.unregister(jobID, token: token)
        self.token = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        handlerRemoved(context: context)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { writtenWhileBlocked = 0 }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.maskKey != nil else {
            // RFC 6455 §5.1: a client's frames are masked; an unmasked one is a protocol error.
            return close(.protocolError, reason: "client frames must be masked")
        }
        switch frame.opcode {
        case .ping:
            write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
        case .pong:
            awaitingPong = false
        case .connectionClose:
            guard phase != .closing else { return context.close(promise: nil) }
            // Echo the client's code, then hang up once it is written.
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).map { WebSocketErrorCode(codeNumber: Int($0)) } ?? .normalClosure
            phase = .closing
            var payload = context.channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        default:
            break  // a watcher has nothing to say
        }
    }

    /// A signal from the hub (on this event loop).
    func receive(_ signal: JobWatchHub.Signal) {
        switch phase {
        case .closing, .closed:
            return
        case .opening, .filling:
            held.append(signal)
            if held.count > hub.backlogLimit { lag() }
        case .live:
            handle(signal)
        }
    }

    private func handle(_ signal: JobWatchHub.Signal) {
        switch signal {
        case .place(let place):
            // The same version again with its new place: the job itself did not change.
            if let latest, latest.status == .queued { write(JobRepresentation(job: latest, place: place)) }
        case .changed(let change) where change.job.version == tracker.delivered + 1:
            deliver(change)
        case .changed(let change):
            guard change.job.version > tracker.delivered else { return }
            fill { [queue, tracker] in try await tracker.gapFill(for: change.job, from: queue) }
        case .resync:
            fill { [queue, tracker, target] in
                guard case .job(let jobID) = target else { return [] }
                return try await queue.events(of: jobID, after: tracker.delivered)
            }
        case .shutdown:
            close(.goingAway, reason: "server shutting down")
        }
    }

    private func open(with snapshot: (job: Job, place: QueuePlace?)?) {
        guard let (job, place) = snapshot else {
            guard case .job(let jobID) = target else { return }
            return notFound(jobID)
        }
        write(JobRepresentation(job: job, place: place))
        if job.status.isFinished { return close(.normalClosure, reason: nil) }
        hub.noteStatus(job.id, queued: job.status == .queued, sentPlace: place)
        tracker = JobVersionTracker(delivered: job.version)
        latest = job
        resume()
    }

    private func fill(_ versions: @escaping @Sendable () async throws -> [Job]) {
        phase = .filling
        read(versions, then: { connection, jobs in
            for job in jobs where connection.phase == .filling { connection.deliver(RenderedJob(job)) }
            connection.resume()
        })
    }

    /// Back to live, handling what was held meanwhile (until a held signal starts another read).
    private func resume() {
        guard phase == .opening || phase == .filling else { return }
        phase = .live
        let pending = held
        held = []
        for (index, signal) in pending.enumerated() {
            switch phase {
            case .live: handle(signal)
            case .filling:
                // Nothing else arrived meanwhile: this runs on the one event loop that receives signals.
                held = Array(pending[index...])
                return
            case .opening, .closing, .closed: return
            }
        }
    }

    private func deliver(_ change: RenderedJob) {
        guard tracker.accept(change.job) else { return }
        write(message: change.frame)
        if change.job.status.isFinished { return close(.normalClosure, reason: nil) }
        let wasQueued = latest?.status == .queued
        latest = change.job
        if wasQueued != (change.job.status == .queued) { hub.noteStatus(change.job.id, queued: change.job.status == .queued) }
    }

    /// Runs `body` off the event loop (a Redis read) and hands its result back on it; a failed
    /// read closes with 1011, after which the client reconnects and catches up.
    private func read<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T, then: @escaping (WatchConnection, T) -> Void
    ) {
        guard let context else { return }
        context.eventLoop.makeFutureWithTask(body).assumeIsolated().whenComplete { result in
            guard self.phase != .closing, self.phase != .closed else { return }
            switch result {
            case .success(let value): then(self, value)
            case .failure: self.close(.unexpectedServerError, reason: "job state unavailable; reconnect")
            }
        }
    }

    /// A job message of this watcher's own (its snapshot, a new place): framed from the JSON's bytes.
    private func write(_ job: JobRepresentation) {
        write(message: WebSocketTextFrame.encode(job.bytes))
    }

    /// One message, `frame` a whole text frame: a change's frame is shared by all its watchers.
    private func write(message frame: ByteBuffer) {
        guard let context, let encoder else { return }
        if !context.channel.isWritable {
            guard writtenWhileBlocked < hub.backlogLimit else { return lag() }
            writtenWhileBlocked += 1
        }
        encoder.writeAndFlush(NIOAny(frame), promise: nil)
        hub.noteMessageWritten()
    }

    private func write(_ frame: WebSocketFrame) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// The socket cannot keep up: every version written so far is followed by a 1013 close, and
    /// the client reconnects for a fresh snapshot.
    private func lag() {
        guard phase != .closing, phase != .closed else { return }
        hub.noteLagClosure()
        close(.unknown(StatusWebSocket.laggingCloseCode), reason: "too far behind; reconnect")
    }

    /// Nothing follows our close frame (RFC 6455 §5.5.1): while closing, `closeGrace` ends it.
    private func ping() {
        guard let context, phase != .closing, phase != .closed else { return }
        if awaitingPong { return context.close(promise: nil) }
        awaitingPong = true
        write(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0)))
    }

    private func notFound(_ id: UUID?) {
        let message = id.map { "no job with id '\($0.lowercasedString)'" } ?? "the job id must be a UUID"
        if let body = try? JSONResponse.encoder.encode(ErrorBody(code: "job_not_found", message: message)) {
            write(message: WebSocketTextFrame.encode(body))
        }
        close(.unknown(StatusWebSocket.notFoundCloseCode), reason: "job not found")
    }

    /// Sends our close frame after everything written so far, then waits `closeGrace` at most for
    /// the client's close (or for a lagging socket to drain) before hanging up. The watcher leaves
    /// the hub at once: it has nothing more to say.
    private func close(_ code: WebSocketErrorCode, reason: String?) {
        guard let context, phase != .closing, phase != .closed else { return }
        phase = .closing
        held = []
        unregister()
        var payload = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        payload.write(webSocketErrorCode: code)
        if let reason { payload.writeString(reason) }
        write(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
        closeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: StatusWebSocket.closeGrace) {
            context.close(promise: nil)
        }
    }
}
