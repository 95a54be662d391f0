import DecomposerCore
import Foundation
import Testing
import TestSupport

@Suite struct WebSocketTests {
    /// Watchers join at random moments while a job runs (and while the API's
    /// one Redis subscription is cut once); each must see its snapshot, then
    /// every later version exactly once and in order, ending with the
    /// terminal state and a 1000 close.
    @Test func watchersJoiningAtRandomMomentsSeeAGaplessOrderedSequence() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let api = try await APIHarness(redisServer: redis)
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<12).map { _ in Int.random(in: 0...600, using: &generator) }

        let watchers = delays.map { delay in
            Task {
                try await Task.sleep(for: .milliseconds(delay))
                return try await api.watch(id.uuidString)
            }
        }
        // The worker's side: many small progress updates, then completion.
        let lease = try await api.claim()
        for step in 0..<40 {
            try await api.queue.reportProgress(lease, progress: 30 + step, message: "Running on GPU (\(step) s)")
            if step == 20 {
                // Cut the API's subscription: it resubscribes and watchers catch up from the stream.
                try await api.redis.send(["CLIENT", "KILL", "TYPE", "pubsub"])
            }
            try await Task.sleep(for: .milliseconds(15))
        }
        try await api.complete(lease, layers: 2)

        let history = try await api.queue.events(of: id, after: 0).map(\.version)
        let last = try #require(history.last)
        for (index, watcher) in watchers.enumerated() {
            let (messages, closeCode) = try await watcher.value
            let jobs = try messages.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
            let versions = jobs.compactMap { $0["version"] as? Int }
            let first = try #require(versions.first, "watcher \(index) got nothing")
            #expect(versions == Array(first...last), "watcher \(index) (joined after \(delays[index]) ms): \(versions)")
            #expect(jobs.last?["status"] as? String == "completed")
            #expect((jobs.last?["layers"] as? [Any])?.count == 2)
            #expect(closeCode == 1000)
        }
    }

    /// Every enqueue and progress step publishes an event; an API nobody watches
    /// through is not subscribed, so it is not woken for each one.
    @Test func theAPIIsSubscribedToJobEventsOnlyWhileSomeoneWatches() async throws {
        let api = try await APIHarness(watchLinger: .milliseconds(300))
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        #expect(try await subscriptions(api) == 0)

        let watcher = Task { try await api.watch(id.uuidString) }
        try await waitUntil { try await subscriptions(api) == 1 }
        let lease = try await api.claim()
        try await api.queue.reportProgress(lease, progress: 40, message: "Running on GPU (1 s)")
        try await api.complete(lease, layers: 2)
        let (messages, closeCode) = try await watcher.value
        let versions = try messages.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
            .compactMap { $0["version"] as? Int }
        let first = try #require(versions.first)
        #expect(versions == Array(first...(first + versions.count - 1)), "gapless: \(versions)")
        #expect(messages.last?.contains(#""status":"completed""#) == true)
        #expect(closeCode == 1000)

        // The last watcher has gone: after the linger the subscription ends.
        try await waitUntil { try await subscriptions(api) == 0 }
    }

    @Test func aWatcherOfAFinishedJobGetsTheTerminalSnapshotAndA1000Close() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let lease = try await api.claim()
        try await api.queue.fail(lease, error: JobError(code: "gpu_error", message: "The GPU endpoint failed", googleStatus: "INTERNAL"))
        let (messages, closeCode) = try await api.watch(id.uuidString)
        #expect(messages.count == 1)
        let job = try #require(try JSONSerialization.jsonObject(with: Data(messages[0].utf8)) as? [String: Any])
        #expect(job["status"] as? String == "failed")
        let error = try #require(job["error"] as? [String: Any])
        #expect(error["code"] as? String == "gpu_error")
        #expect(error["google_status"] as? String == "INTERNAL")
        #expect(closeCode == 1000)
        // The same JSON as GET /api/jobs/{id}.
        let polled = try await api.request("GET", "/api/jobs/\(id.uuidString)")
        #expect(try polled.json() as NSDictionary == job as NSDictionary)
    }

    @Test func unknownOrMalformedJobsGetOneNotFoundMessageAnd4404() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        for id in [UUID().uuidString, "not-a-uuid"] {
            let (messages, closeCode) = try await api.watch(id)
            #expect(closeCode == 4404, "\(id)")
            #expect(messages.count == 1)
            let body = try #require(try JSONSerialization.jsonObject(with: Data((messages.first ?? "").utf8)) as? [String: Any])
            #expect((body["error"] as? [String: Any])?["code"] as? String == "job_not_found")
        }
        // Not an upgrade: a JSON error, not an empty 200.
        let plain = try await api.request("GET", "/ws/status/\(UUID().uuidString)")
        #expect(plain.status == 426)
        #expect(plain.errorCode == "upgrade_required")
        let malformed = try await api.request("GET", "/ws/status/not-a-uuid")
        #expect(malformed.status == 404)
        #expect(malformed.errorCode == "job_not_found")
    }

    @Test func everyWatcherIsServedByOneSubscription() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let watchers = (0..<20).map { _ in Task { try await api.watch(id.uuidString) } }
        try await waitUntil { api.api.hub.watcherCount == 20 }
        try await waitUntil { try await subscriptions(api) >= 1 }
        #expect(try await subscriptions(api) == 1)
        try await api.complete(try await api.claim(), layers: 1)
        for watcher in watchers { #expect(try await watcher.value.closeCode == 1000) }
        #expect(api.api.hub.watcherCount == 0)
    }

    /// Subscribers of the API's events channel.
    private func subscriptions(_ api: APIHarness) async throws -> Int {
        let reply = try await api.redis.send(["PUBSUB", "NUMSUB", api.queue.keys.eventsChannel])
        return Int(reply.array?.last?.int ?? -1)
    }
}
