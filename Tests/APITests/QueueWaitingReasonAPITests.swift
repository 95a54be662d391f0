import DecomposerCore
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing
import TestSupport

/// `waiting_reason` (and no `position`) on the job JSON and pushed to WebSocket watchers: a retry
/// waiting out its backoff, and the queue held by the daily budget.
@Suite struct QueueWaitingReasonAPITests {
    /// A WebSocket watcher of one job that keeps every text message it receives, parsed.
    final class Watcher: Sendable {
        private final class Inbox: Sendable {
            let texts = Mutex<[String]>([])
        }

        private let inbox = Inbox()
        private let task: Task<Void, any Error>

        init(_ api: APIHarness, _ id: UUID) {
            let inbox = inbox
            task = Task {
                _ = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/ws/status/\(id.uuidString)", logger: Logger(label: "ws-test")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { inbox.texts.withLock { $0.append(text) } }
                    }
                }
            }
        }

        var received: [[String: Any]] {
            inbox.texts.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        }

        /// The first message (waiting, bounded) that satisfies `condition`.
        func first(where condition: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
            try await waitUntil { received.contains(where: condition) }
            return try #require(received.first(where: condition))
        }

        func stop() { task.cancel() }
    }

    @Test func aRetryWaitingOutItsBackoffHasNoPositionAndSaysWhy() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        try await api.queue.advertiseSlots(worker: UUID(), slots: 1, timeToLive: .seconds(600))
        let id = try await api.createJob(layers: 2)
        let watcher = Watcher(api, id)
        defer { watcher.stop() }
        _ = try await watcher.first { $0["position"] as? Int == 1 }

        let lease = try await api.claim()
        #expect(lease.job.id == id)
        let outcome = try await api.queue.retry(
            lease, error: JobError(code: "gpu_unavailable", message: "503 from the endpoint"), after: .seconds(600),
            message: "GPU busy; retrying in 600 s")
        #expect(outcome == .scheduled)

        let job = try await api.request("GET", "/api/jobs/\(id.uuidString)").json()
        #expect(job["status"] as? String == "queued")
        #expect(job["position"] is NSNull, "out of the line while it waits: \(job)")
        #expect(job["eta_seconds"] is NSNull, "no estimate for a backoff (the message says when)")
        #expect(job["waiting_reason"] as? String == "retry_backoff")
        #expect(job["message"] as? String == "GPU busy; retrying in 600 s")

        // The watcher saw it queued in line, processing, then queued again and is pushed the reason.
        let pushed = try await watcher.first { $0["waiting_reason"] as? String == "retry_backoff" }
        #expect(pushed["status"] as? String == "queued")
        #expect(pushed["position"] is NSNull && pushed["eta_seconds"] is NSNull, "\(pushed)")
        #expect(pushed["version"] as? Int == job["version"] as? Int, "the same version as GET returns")
        let statuses = watcher.received.compactMap { $0["status"] as? String }
        #expect(statuses.contains("processing"), "\(statuses)")

        // A new watcher's snapshot carries the reason at once.
        let late = Watcher(api, id)
        defer { late.stop() }
        let snapshot = try await late.first { $0["status"] != nil }
        #expect(snapshot["waiting_reason"] as? String == "retry_backoff" && snapshot["position"] is NSNull)
    }

    @Test func aQueueHeldByTheDailyBudgetShowsTheHoldInsteadOfAPosition() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let ids = [try await api.createJob(layers: 2), try await api.createJob(layers: 2)]
        let watcher = Watcher(api, ids[1])
        defer { watcher.stop() }
        _ = try await watcher.first { $0["position"] as? Int == 2 }

        let message = "Daily GPU budget of $1.00 reached; jobs resume at 00:00 UTC"
        let billing = try await api.queue.recordAttempt(
            AttemptRecord(jobID: nil, attempt: nil, microdollars: 1_000_000, gpuMilliseconds: 1_000, succeeded: true,
                          day: "2026-12-06"),
            retention: .seconds(86_400),
            budget: BudgetHold(limitMicrodollars: 1_000_000, message: message, endsAt: Date().addingTimeInterval(3_600)))
        #expect(billing.holdPlacedOnJobs == 2, "this record spends the budget: \(billing)")

        for id in ids {
            let job = try await api.request("GET", "/api/jobs/\(id.uuidString)").json()
            #expect(job["status"] as? String == "queued")
            #expect(job["position"] is NSNull && job["eta_seconds"] is NSNull, "\(job)")
            #expect(job["waiting_reason"] as? String == "budget_hold")
            #expect(job["message"] as? String == message)
        }
        let pushed = try await watcher.first { $0["waiting_reason"] as? String == "budget_hold" }
        #expect(pushed["position"] is NSNull && pushed["eta_seconds"] is NSNull, "\(pushed)")
        #expect(pushed["message"] as? String == message)
    }
}
