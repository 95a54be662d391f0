import DecomposerCore
import Foundation
import Testing
import TestSupport

@Suite struct LaggingWatcherTests {
    /// A watcher whose client stops reading cannot hold its job's changes in the API's memory
    /// without end: once more than the backlog limit wait for it, it is closed with 1013 (try
    /// again later), after a gapless prefix of the versions. A watcher that keeps up meanwhile
    /// gets every version, and the lagging client, reconnecting, catches up from the snapshot.
    @Test func aWatcherThatDoesNotReadIsClosedWith1013AndTheOthersGetEveryVersion() async throws {
        let api = try await APIHarness(watchBacklogLimit: 4)
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let lease = try await api.claim()
        let stalled = try await RawWebSocket(port: api.port, path: "/ws/status/\(id.uuidString)")

        // The reading watcher's versions, one by one, so each update waits until it has arrived:
        // it never lags, however slow the machine.
        let (arrivals, arrived) = AsyncStream.makeStream(of: Int.self)
        let reader = Task {
            try await api.watch(id.uuidString, onMessage: { text in
                if let version = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["version"] as? Int {
                    arrived.yield(version)
                }
            })
        }
        var versions = arrivals.makeAsyncIterator()
        let first = try #require(await versions.next())
        // Long messages fill the stalled socket's buffers (kernel and NIO) in fewer updates.
        let padding = String(repeating: "x", count: 8000)
        var step = 0
        while api.api.hub.lagClosureCount == 0 {
            step += 1
            try #require(step <= 5000, "the stalled watcher was never closed")
            try await api.queue.reportProgress(lease, progress: 30 + step % 60, message: "Running on GPU (\(step) s) \(padding)")
            #expect(await versions.next() == first + step)
        }
        #expect(api.api.hub.lagClosureCount == 1)

        let (stalledMessages, stalledClose) = try await stalled.drain()
        #expect(stalledClose == 1013)
        let stalledVersions = stalledMessages.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["version"] as? Int
        }
        #expect(stalledVersions.first == first)
        #expect(stalledVersions == Array(first..<(first + stalledVersions.count)), "gapless up to the close")
        #expect(stalledVersions.count < step + 1, "closed before the last version")

        // Reconnecting catches up: the snapshot is the newest version.
        let (snapshots, snapshot) = AsyncStream.makeStream(of: Void.self)
        let catchUp = Task { try await api.watch(id.uuidString, onMessage: { _ in snapshot.yield() }) }
        var snapshotArrived = snapshots.makeAsyncIterator()
        _ = await snapshotArrived.next()
        try await api.complete(lease, layers: 2)
        let (caughtUp, caughtUpClose) = try await catchUp.value
        let caughtUpVersions = caughtUp.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["version"] as? Int
        }
        #expect(caughtUpVersions == [first + step, first + step + 1])
        #expect(caughtUpClose == 1000)

        let (messages, closeCode) = try await reader.value
        let all = messages.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["version"] as? Int }
        #expect(all == Array(first...(first + step + 1)), "the reading watcher got every version")
        #expect(closeCode == 1000)
        #expect(api.api.hub.lagClosureCount == 1)
    }
}
