import DecomposerCore
import Foundation
import Redis
import Synchronization
import Testing
import TestSupport
import SystemSupport

/// Guarantee 11: every change is an event; a watcher gets the snapshot and
/// every later change, with no gap and no duplicate.
@Suite struct QueueEventTests {
    @Test func everyChangeBumpsTheVersionAndIsKeptInTheJobStream() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let lease = try #require(try await context.claim())
        #expect(try await context.queue.startCall(lease) == .started)
        try await context.queue.reportProgress(lease, progress: 80, message: "Saving layers")
        let layer = LayerResult(index: 0, filename: "layer_0.png", url: "/results/\(id.lowercasedString)/layer_0.png",
                                sizeKB: 12.5, width: 64, height: 64)
        try await context.queue.complete(lease, layers: [layer])

        let events = try await context.queue.events(of: id, after: 0)
        #expect(events.map(\.version) == [1, 2, 3, 4, 5])
        #expect(events.map(\.status) == [.queued, .processing, .processing, .processing, .completed])
        #expect(events.map(\.progress) == [0, 10, 30, 80, 100])
        #expect(events.last?.layers == [layer])
        #expect(try await context.queue.events(of: id, after: 3).map(\.version) == [4, 5])
        #expect(try await context.queue.job(id)?.version == 5)
    }

    /// `enqueue` writes a new job and builds its first event from the same values without reading
    /// the job back: the event is exactly the stored job's public fields (no lease, no webhook
    /// settings), with a parent, a webhook and an operator's pause message (quotes, a slash) too.
    @Test func aNewJobsFirstEventIsExactlyItsStoredPublicFields() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        _ = try await queue.pauseQueue(message: #"Paused: "maintenance" until 09:00 / back soon"#)
        let requests = [
            JobRequest(fileID: UUID()),
            JobRequest(fileID: UUID(), numLayers: 3, resolution: 640, useCache: false, parent: JobParent(jobID: UUID(), layer: 2),
                       webhook: JobWebhook(url: "https://hooks.example.com/a?b=c")),
        ]
        for request in requests {
            let id = try await queue.enqueue(request).jobID
            let stored = try #require(try await queue.redis.send(["HGETALL", queue.keys.job(id)]).fieldMap)
            let entries = try await queue.redis.send(["XRANGE", queue.keys.events(id), "-", "+"]).array ?? []
            #expect(entries.count == 1)
            let entry = try #require(entries.first?.array)
            #expect(entry.first?.string == "0-1")
            let payload = try #require(entry.last?.array?.last?.string)
            let event = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String])
            let hidden: Set = ["lease_token", "webhook", "webhook_events", "webhook_status"]
            #expect(event == stored.filter { !hidden.contains($0.key) })
            #expect(event["message"] == #"Paused: "maintenance" until 09:00 / back soon"#)
            #expect(stored["webhook_status"] == (request.webhook == nil ? nil : "queued"))
        }
    }

    /// A new job with the usual message has no stream until its first change: its first event is
    /// announced (the admin page's live view) but not kept, and a history (`events` from version 0)
    /// rebuilds it from the hash, equal to what was announced, before and after the job moves on.
    @Test func aNewJobsFirstEventIsAnnouncedAndRebuiltForItsHistoryWithoutAStream() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        var feed = queue.eventFeed().makeAsyncIterator()
        guard case .resubscribed = await feed.next() else {
            Issue.record("the feed starts with a subscription")
            return
        }
        let request = JobRequest(fileID: UUID(), numLayers: 3, resolution: 640, useCache: false,
                                 parent: JobParent(jobID: UUID(), layer: 2))
        let id = try await queue.enqueue(request).jobID
        guard case .changed(let change) = await feed.next() else {
            Issue.record("no event for the new job")
            return
        }
        let announced = try #require(change.job)
        #expect(announced.id == id && announced.version == 1 && announced.message == JobQueue.waitingMessage)
        #expect(try await queue.redis.send(["EXISTS", queue.keys.events(id)]).int == 0, "no stream for a waiting job")
        #expect(try await queue.events(of: id, after: 0) == [announced])

        let lease = try #require(try await context.claim())
        #expect(try await queue.startCall(lease) == .started)
        let history = try await queue.events(of: id, after: 0)
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history.first == announced, "rebuilt after the job moved on, not its fields of now")
        #expect(try await queue.events(of: id, after: 1).map(\.version) == [2, 3])
    }

    /// Workers learn of cancellations from a channel of their own that carries only running
    /// jobs' ids: a cancelled queued job (which no worker holds) is not published.
    @Test func aCancelledRunningJobIsPublishedOnTheCancellationsChannel() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let received = ReceivedIDs()
        let stream = context.queue.cancellations()
        let listener = Task { for await id in stream { received.ids.withLock { $0.append(id) } } }
        defer { listener.cancel() }
        /// Waits (bounded) until `id` has arrived.
        func arrived(_ id: UUID) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if received.ids.withLock({ $0.contains(id) }) { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        // The subscription starts asynchronously: cancel probe jobs until one arrives.
        var subscribed = false
        for _ in 0..<50 where !subscribed {
            _ = try await context.enqueue()
            let probe = try #require(try await context.claim())
            _ = try await context.queue.cancel(probe.job.id)
            try await Task.sleep(for: .milliseconds(100))
            subscribed = received.ids.withLock { $0.contains(probe.job.id) }
        }
        #expect(subscribed)
        let queued = try #require(try await context.enqueue().first)
        #expect(try await context.queue.cancel(queued) == .cancelled(was: .queued))
        _ = try await context.enqueue()
        let running = try #require(try await context.claim())
        #expect(try await context.queue.cancel(running.job.id) == .cancelled(was: .processing))
        #expect(try await arrived(running.job.id))
        // Published in order: the queued job's cancel, before it, would have arrived first.
        #expect(!received.ids.withLock { $0.contains(queued) }, "a queued job's cancel is not published")
    }

    @Test func watchersJoiningAtRandomMomentsSeeAGaplessOrderedSequence() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)

        let watchers = (0..<8).map { index in
            Task {
                try await Task.sleep(for: .milliseconds(index * 15))
                var seen: [Job] = []
                for try await job in context.queue.watch(id) { seen.append(job) }
                return seen
            }
        }
        let lease = try #require(try await context.claim())
        for step in 1...20 {
            try await context.queue.reportProgress(lease, progress: 30 + step * 2, message: "Running on GPU (\(step) s)")
            try await Task.sleep(for: .milliseconds(5))
        }
        try await context.queue.complete(lease, layers: [])
        let finalVersion = try #require(try await context.queue.job(id)?.version)

        for watcher in watchers {
            let seen = try await watcher.value
            let versions = seen.map(\.version)
            #expect(!versions.isEmpty)
            #expect(versions == Array(versions[0]...finalVersion), "gapless, in order, no duplicate: \(versions)")
            #expect(seen.last?.status == .completed)
        }
    }

    @Test func versionTrackerRefusesDuplicatesAndOldVersions() throws {
        var tracker = JobVersionTracker(delivered: 3)
        let fields: [String: String] = [
            "id": UUID().uuidString, "file_id": UUID().uuidString, "status": "processing", "num_layers": "5",
            "resolution": "1024", "created_at": "0",
        ]
        func job(_ version: Int) throws -> Job {
            var copy = fields
            copy["version"] = String(version)
            return try #require(Job(fields: copy))
        }
        #expect(!tracker.accept(try job(3)))
        #expect(!tracker.accept(try job(5)))
        #expect(tracker.accept(try job(4)))
        #expect(tracker.accept(try job(5)))
        #expect(tracker.delivered == 5)
    }
}

/// Ids a listener has received, read by the test while it listens.
private final class ReceivedIDs: Sendable {
    let ids = Mutex<[UUID]>([])
}
