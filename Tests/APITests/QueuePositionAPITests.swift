import DecomposerCore
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing
import SystemSupport
import TestSupport

/// `position` / `eta_seconds` on the job JSON and pushed to WebSocket watchers as the queue moves.
@Suite struct QueuePositionAPITests {
    @Test func aWatcherOfAQueuedJobIsPushedItsPositionUntilItRuns() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let busy = try await api.createJob(layers: 2)
        _ = try await api.claim()
        let waiting = [try await api.createJob(layers: 2), try await api.createJob(layers: 2)]
        let watched = try await api.createJob(layers: 2)
        try await api.queue.advertiseSlots(worker: UUID(), slots: 1, timeToLive: .seconds(600))
        _ = try await api.queue.recordAttempt(
            AttemptRecord(jobID: busy, attempt: 1, microdollars: 1, gpuMilliseconds: 5_000, succeeded: true, day: "2026-12-06"),
            retention: .seconds(86_400), budget: nil)

        let job = try await api.request("GET", "/api/jobs/\(watched.uuidString)").json()
        #expect(job["position"] as? Int == 3)
        #expect(job["eta_seconds"] as? Int == 15, "ceil(3 / 1 slot) × 5 s")
        #expect(job["waiting_reason"] is NSNull)
        let running = try await api.request("GET", "/api/jobs/\(busy.uuidString)").json()
        #expect(running["position"] == nil, "only a queued job has a position")

        let messages = Mutex<[String]>([])
        let parsed: @Sendable () -> [[String: Any]] = {
            messages.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        }
        let watcher = Task {
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(api.port)/ws/status/\(watched.uuidString)", logger: Logger(label: "ws-test")
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { messages.withLock { $0.append(text) } }
                }
            }
        }
        func seen(_ condition: @escaping ([String: Any]) -> Bool) async throws {
            try await waitUntil { parsed().contains(where: condition) }
        }
        try await seen { $0["position"] as? Int == 3 }
        for (index, id) in waiting.enumerated() {
            let lease = try await api.claim()
            #expect(lease.job.id == id)
            // No client request: the API notices the claim and pushes the new position.
            try await seen { $0["position"] as? Int == 2 - index }
        }
        let lease = try await api.claim()
        try await seen { $0["status"] as? String == "processing" }
        try await api.complete(lease, layers: 2)
        _ = try await watcher.value

        let received = parsed()
        let positions = received.compactMap { $0["position"] as? Int }
        #expect(positions == [3, 2, 1], "pushed once per change, only counting down: \(positions)")
        #expect(received.filter { ($0["position"] as? Int) != nil }.allSatisfy { $0["status"] as? String == "queued" })
        #expect(received.filter { $0["status"] as? String != "queued" }.allSatisfy { $0["position"] == nil })
        #expect(received.last?["status"] as? String == "completed")
    }

    /// The places are read from Redis while a claim's change may still be on its way to the API: a
    /// job already out of the line but still queued for its watchers gets no place message (the
    /// same version again without a position), only its next version.
    @Test func aJobThatLeftTheLineIsNotSentItsOldVersionAgain() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let left = try await api.createJob(layers: 2)
        let behind = try await api.createJob(layers: 2)
        let inboxes = [Inbox(), Inbox()]
        let watchers = [left, behind].enumerated().map { index, id in
            Task {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/ws/status/\(id.uuidString)", logger: Logger(label: "ws-test")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { inboxes[index].texts.withLock { $0.append(text) } }
                    }
                }
            }
        }
        defer { for watcher in watchers { watcher.cancel() } }
        try await waitUntil { inboxes[1].messages.contains { $0["position"] as? Int == 2 } }
        try await waitUntil { !inboxes[0].messages.isEmpty }

        // The moment between a claim and its change reaching the API: out of the line, no event.
        let member = left.lowercasedString
        _ = try await api.redis.pipeline([["LREM", api.queue.keys.wait, "0", member], ["ZREM", api.queue.keys.order, member]])
        _ = try await api.createJob(layers: 2)  // a change, so the places are read again
        try await waitUntil { inboxes[1].messages.contains { $0["position"] as? Int == 1 } }
        // Its next version, on the same socket after anything that tick sent.
        _ = try await api.request("DELETE", "/api/jobs/\(left.uuidString)")
        try await waitUntil { inboxes[0].messages.contains { $0["status"] as? String == "cancelled" } }

        let messages = inboxes[0].messages
        #expect(messages.map { $0["version"] as? Int } == [1, 2], "\(messages)")
        #expect(messages.first?["position"] as? Int == 1)
    }
}

/// The text messages one WebSocket watcher received, parsed on reading.
private final class Inbox: Sendable {
    let texts = Mutex<[String]>([])
    var messages: [[String: Any]] {
        texts.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }
}
