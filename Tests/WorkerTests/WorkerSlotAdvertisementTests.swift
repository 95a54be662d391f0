import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import Worker

/// A running worker's call slots in `{p}:queue:worker-slots` (the fleet's slots for queued jobs' ETA).
@Suite struct WorkerSlotAdvertisementTests {
    /// The live entries (`<slots>/<worker id>` → until when, ms) and Redis's clock now.
    static func advertisements(_ harness: WorkerHarness) async throws -> (entries: [String: Int64], now: Int64) {
        let replies = try await harness.redis.pipeline([
            ["ZRANGE", harness.queue.keys.workerSlots, "0", "-1", "WITHSCORES"], ["TIME"],
        ])
        let flat = replies[0].array?.compactMap(\.string) ?? []
        var entries: [String: Int64] = [:]
        for pair in stride(from: 0, to: flat.count - 1, by: 2) { entries[flat[pair]] = Int64(flat[pair + 1]) }
        let time = replies[1].array?.compactMap { $0.string.flatMap { Int64($0) } } ?? []
        return (entries, time.count == 2 ? time[0] * 1000 + time[1] / 1000 : 0)
    }

    @Test func runningWorkersAdvertiseTheirSlotsUntilAFutureTimeRenewItAndWithdrawItAtShutdown() async throws {
        let harness = try await WorkerHarness(lease: .seconds(3)) { _, _ in WorkerHarness.prediction(layers: 3) }
        defer { harness.shutdown() }
        let workers = [try harness.makeWorker(concurrency: 3), try harness.makeWorker(concurrency: 5)]
        try await harness.withWorkers(workers) {
            try await harness.waitFor { try await Self.advertisements(harness).entries.count == 2 }
            let (entries, now) = try await Self.advertisements(harness)
            let parsed = entries.keys.map { $0.split(separator: "/").map(String.init) }
            #expect(parsed.map { $0[0] }.sorted() == ["3", "5"], "each worker's MAX_CONCURRENT_JOBS: \(entries)")
            #expect(parsed.allSatisfy { $0.count == 2 && UUID(uuidString: $0[1]) != nil }, "a worker id each")
            #expect(Set(parsed.map { $0[1] }).count == 2, "two workers, two ids")
            for (entry, until) in entries {
                #expect(until > now && until <= now + 3_000, "\(entry) valid for at most one lease from now")
            }
            // Renewed every lease/3: each entry's expiry moves later while the worker runs.
            try await harness.waitFor {
                let later = try await Self.advertisements(harness).entries
                return entries.allSatisfy { entry, until in (later[entry] ?? 0) > until }
            }
        }
        let (after, _) = try await Self.advertisements(harness)
        #expect(after.isEmpty, "withdrawn at shutdown, not left to expire: \(after)")
    }
}
