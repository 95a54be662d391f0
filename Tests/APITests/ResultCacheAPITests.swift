import CostTracker
import DecomposerCore
import Foundation
import Testing
import TestSupport

/// What the API says about the result cache: `cached` on the job and in its last WebSocket
/// message, `"cache": false` kept with the job, hits and avoided cost in `/api/costs`.
@Suite struct ResultCacheAPITests {
    @Test func aJobCompletedFromTheCacheSaysSoToItsWatcherAndInTheCosts() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        let lease = try await api.claim()
        // Connected before or after the completion, its last message is the completed job.
        let watcher = Task { try await api.watch(id.lowercasedString) }

        // What a worker does on a hit: the source's layers copied into this job's folder, then complete-cached.
        let layers = try await api.writeLayers(for: lease, count: 2)
        let costs = CostTracker(queue: api.queue, rate: GPURate(usdPerHour: 1))
        try await costs.completeFromCache(
            lease, layers: layers, attempt: 1,
            cached: CachedResult(sourceJobID: UUID(), sourceAttempt: 1, layers: layers, callMicrodollars: 2_500))

        let (messages, _) = try await watcher.value
        let text = try #require(messages.last)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(last["status"] as? String == "completed")
        #expect(last["cached"] as? Bool == true, "\(last)")
        #expect(try await api.request("GET", "/api/jobs/\(id.lowercasedString)").json()["cached"] as? Bool == true)
        let served = try await api.request("GET", "/results/\(id.lowercasedString)/layer_1.png")
        #expect(served.status == 200)

        let report = try await api.request("GET", "/api/costs?days=1").json()
        let today = try #require((report["days"] as? [[String: Any]])?.last)
        #expect(today["cache_hits"] as? Int == 1)
        #expect(today["cache_avoided_usd"] as? Double == 0.0025)
        #expect(report["total_cache_avoided_usd"] as? Double == 0.0025)
    }

    @Test func anOptedOutRequestIsQueuedWithTheCacheOff() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let response = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","cache":false}"#)
        #expect(response.status == 202, "\(response.text)")
        let id = try #require((try response.json()["job_id"] as? String).flatMap(UUID.init(uuidString:)))
        #expect(try await api.queue.job(id)?.cacheAllowed == false)
        #expect(try await api.request("GET", "/api/jobs/\(id.lowercasedString)").json()["cached"] as? Bool == false)
    }
}
