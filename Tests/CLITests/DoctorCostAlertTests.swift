import Foundation
import Testing
import TestSupport

/// `decomposer doctor` shows the cost alerts waiting in the outbox: how many, and the oldest's age.
@Suite struct DoctorCostAlertTests {
    @Test func anEmptyOutboxIsPendingZero() async throws {
        let server = try await SharedRedis.server()
        let result = try await runDecomposer(["doctor"], environment: [
            "REDIS_URL": server.url, "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("cli"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\nalerts   pending 0\n"), "\(result.standardOutput)")
    }

    @Test func undeliveredAlertsAreCountedWithTheOldestsAge() async throws {
        let server = try await SharedRedis.server()
        let prefix = SharedRedis.uniquePrefix("cli")
        let redis = server.makeClient()
        defer { redis.shutdown() }
        let time = try await redis.send(["TIME"]).array?.compactMap { $0.string.flatMap { Int64($0) } } ?? []
        let now = try #require(time.first) * 1000
        // As `record-attempt` writes them: one raised 3 h 10 min ago and tried twice, one 10 min ago.
        let outbox = "\(prefix):cost-alerts:outbox"
        for (threshold, age, attempts) in [("0.5", 11_400, 2), ("0.8", 600, 0)] {
            let json = #"{"day":"2026-12-06","threshold":"\#(threshold)","spent_micros":40000000,"#
                + #""budget_micros":50000000,"top_jobs":{},"created_ms":\#(now - Int64(age) * 1000),"attempts":\#(attempts)}"#
            try await redis.send(["HSET", outbox, "2026-12-06/\(threshold)", json])
            try await redis.send(["ZADD", "\(prefix):cost-alerts:due", String(now), "2026-12-06/\(threshold)"])
        }
        let result = try await runDecomposer(["doctor"], environment: ["REDIS_URL": server.url, "REDIS_KEY_PREFIX": prefix])
        #expect(result.status == 0, "\(result.standardError)")
        let line = result.standardOutput.split(separator: "\n").first { $0.hasPrefix("alerts ") }.map(String.init)
        #expect(line?.hasPrefix("alerts   pending 2, oldest 2026-12-06/0.5 raised 3 h 1") == true, "\(result.standardOutput)")
        #expect(line?.hasSuffix("min ago, 2 delivery attempts") == true, "\(line ?? "none")")
        #expect(try await redis.send(["HLEN", outbox]).int == 2, "doctor only reads the outbox")
    }
}
