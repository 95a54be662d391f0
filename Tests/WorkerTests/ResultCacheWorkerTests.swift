import CostTracker
import DecomposerCore
import Foundation
import Redis
import Synchronization
import SystemSupport
import Testing
import TestSupport
import VertexClient
import Worker

/// The result cache end to end in a worker: real Redis, the in-test endpoint counting calls, layers on disk.
@Suite struct ResultCacheWorkerTests {
    static let policy = ResultCachePolicy(timeToLive: .seconds(3600), pollInterval: .milliseconds(20))

    static func layerBytes(_ harness: WorkerHarness, _ job: Job) throws -> [[UInt8]] {
        let folder = harness.results.appendingPathComponent(job.id.lowercasedString)
            .appendingPathComponent(job.layersAttempt.map(String.init) ?? "")
        return try job.layers.map { try [UInt8](Data(contentsOf: folder.appendingPathComponent($0.filename))) }
    }

    /// Runs one job to its end with a cache-enabled worker.
    static func runOne(_ harness: WorkerHarness, _ request: JobRequest, cache: ResultCachePolicy? = policy) async throws -> Job {
        let id = try await harness.queue.enqueue(request).jobID
        return try await harness.withWorkers([try harness.makeWorker(resultCache: cache)]) {
            try await harness.waitUntilFinished([id])[0]
        }
    }

    @Test func theSamePosterTwiceCallsOnceAndTheSecondJobIsCompletedFromTheFirstsLayers() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let request = JobRequest(fileID: harness.fileID, numLayers: 3, resolution: 640)
        let first = try await Self.runOne(harness, request)
        let second = try await Self.runOne(harness, request)
        #expect(harness.endpoint.requestCount == 1, "one endpoint call for two identical jobs")
        #expect(first.status == .completed && !first.cached)
        #expect(second.status == .completed && second.cached)
        #expect(second.attempts == 0 && second.costMicros == 0)
        #expect(second.layers.map(\.url) == (0..<3).map { "/results/\(second.id.lowercasedString)/layer_\($0).png" })
        #expect(try Self.layerBytes(harness, second) == (try Self.layerBytes(harness, first)), "identical layer bytes")
        let stages = try await harness.queue.events(of: second.id, after: 0).map { "\($0.status.rawValue) \($0.progress) \($0.message)" }
        #expect(stages == ["queued 0 Waiting for a worker", "processing 10 Preparing image", "completed 100 Done (from the result cache)"])

        let day = try #require(try await harness.costs.days(last: 1).first)
        #expect(day.requests == 1)
        #expect(day.cacheHits == 1)
        #expect(day.cacheAvoidedMicrodollars == first.costMicros && first.costMicros > 0, "avoided at the original call's cost")
    }

    @Test func anotherLayerCountOrResolutionIsAnotherCall() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let file = harness.fileID
        for request in [
            JobRequest(fileID: file, numLayers: 3, resolution: 640), JobRequest(fileID: file, numLayers: 2, resolution: 640),
            JobRequest(fileID: file, numLayers: 3, resolution: 1024),
        ] {
            let job = try await Self.runOne(harness, request)
            #expect(job.status == .completed && !job.cached)
        }
        #expect(harness.endpoint.requestCount == 3)
    }

    @Test func simultaneousTwinsWaitForTheOneCallThenAreCompletedFromIt() async throws {
        let gate = Gate()
        let harness = try await WorkerHarness { number, request in
            if number == 1 { gate.waitUntilOpen() }
            return WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(3)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 4, resultCache: Self.policy)]) {
            // Both twins say they wait for the job calling the endpoint, while its call is held open.
            try await harness.waitFor({
                var waiting = 0
                for id in ids where try await harness.queue.job(id)?.message.hasPrefix("Waiting for job ") == true { waiting += 1 }
                return waiting == 2
            }, within: .seconds(60))
            gate.open()
            return try await harness.waitUntilFinished(ids)
        }
        gate.open()
        #expect(harness.endpoint.requestCount == 1, "three identical jobs in flight, one call")
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(jobs.filter(\.cached).count == 2)
        let original = try #require(jobs.first { !$0.cached })
        for twin in jobs where twin.cached {
            #expect(try Self.layerBytes(harness, twin) == (try Self.layerBytes(harness, original)))
            #expect(try await harness.queue.events(of: twin.id, after: 0).contains { $0.message == "Waiting for job \(original.id.lowercasedString), which is decomposing the same image" })
        }
    }

    @Test func whenTheCallingTwinFailsTheWaitingOneCallsOnItsOwn() async throws {
        let gate = Gate()
        let harness = try await WorkerHarness(maxAttempts: 1) { number, request in
            if number == 1 {
                gate.waitUntilOpen()
                return .json(400, #"{"error":{"code":400,"message":"refused","status":"INVALID_ARGUMENT"}}"#)
            }
            return WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(2)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 2, resultCache: Self.policy)]) {
            try await harness.waitFor({
                for id in ids where try await harness.queue.job(id)?.message.hasPrefix("Waiting for job ") == true { return true }
                return false
            }, within: .seconds(60))
            gate.open()
            return try await harness.waitUntilFinished(ids)
        }
        gate.open()
        #expect(jobs.map(\.status.rawValue).sorted() == ["completed", "failed"])
        let completed = try #require(jobs.first { $0.status == .completed })
        #expect(!completed.cached && completed.attempts == 1, "it made its own call")
        #expect(harness.endpoint.requestCount == 2)
    }

    @Test func deletedLayersAreAMissThatTheNextCallRepairs() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let request = JobRequest(fileID: harness.fileID, numLayers: 2, resolution: 640)
        let first = try await Self.runOne(harness, request)
        // `decomposer cleanup` (or a retention rule) removed the first job's layers.
        try FileManager.default.removeItem(at: harness.results.appendingPathComponent(first.id.lowercasedString))
        let second = try await Self.runOne(harness, request)
        #expect(second.status == .completed && !second.cached, "never served broken")
        #expect(harness.endpoint.requestCount == 2)
        let third = try await Self.runOne(harness, request)
        #expect(third.cached && harness.endpoint.requestCount == 2, "the repaired entry answers")
        #expect(try Self.layerBytes(harness, third) == (try Self.layerBytes(harness, second)))
        // The copies outlive the job they came from.
        try FileManager.default.removeItem(at: harness.results.appendingPathComponent(second.id.lowercasedString))
        #expect(try Self.layerBytes(harness, third).count == 2)
    }

    @Test func anOptedOutJobCallsAndLeavesTheEntryAlone() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let first = try await Self.runOne(harness, JobRequest(fileID: harness.fileID, numLayers: 2, resolution: 640))
        let fresh = try await Self.runOne(harness, JobRequest(fileID: harness.fileID, numLayers: 2, resolution: 640, useCache: false))
        #expect(fresh.status == .completed && !fresh.cached)
        #expect(harness.endpoint.requestCount == 2)
        let keys = try await harness.redis.send(["KEYS", harness.queue.keys.prefix + ":result-cache:*"]).array ?? []
        #expect(keys.count == 1, "one entry, no flight left: \(keys)")
        let source = try await harness.redis.send(["HGET", try #require(keys.first?.string), "job_id"]).string
        #expect(source == first.id.lowercasedString, "the opted-out job did not replace it")
    }

    @Test func withTheCacheOffEveryJobCalls() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let request = JobRequest(fileID: harness.fileID, numLayers: 2, resolution: 640)
        for _ in 0..<2 {
            let job = try await Self.runOne(harness, request, cache: nil)
            #expect(job.status == .completed && !job.cached)
        }
        #expect(harness.endpoint.requestCount == 2)
        #expect(try await harness.redis.send(["KEYS", harness.queue.keys.prefix + ":result-cache:*"]).array?.isEmpty == true)
    }

    @Test func theDigestCoversTheImageLayersResolutionEndpointAndModelVersion() throws {
        let endpoint = try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e")
        let otherEndpoint = try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "other")
        let base = ResultCachePolicy(timeToLive: .seconds(1))
        let digest = base.digest(image: [1, 2, 3], layers: 5, resolution: 1024, endpoint: endpoint)
        #expect(digest.count == 64)
        #expect(digest == base.digest(image: [1, 2, 3], layers: 5, resolution: 1024, endpoint: endpoint))
        #expect(digest != base.digest(image: [1, 2, 4], layers: 5, resolution: 1024, endpoint: endpoint))
        #expect(digest != base.digest(image: [1, 2, 3], layers: 4, resolution: 1024, endpoint: endpoint))
        #expect(digest != base.digest(image: [1, 2, 3], layers: 5, resolution: 640, endpoint: endpoint))
        #expect(digest != base.digest(image: [1, 2, 3], layers: 5, resolution: 1024, endpoint: otherEndpoint))
        #expect(digest != ResultCachePolicy(timeToLive: .seconds(1), modelVersion: "v2").digest(image: [1, 2, 3], layers: 5, resolution: 1024, endpoint: endpoint))
    }
}

/// A gate the in-test endpoint's thread waits at (bounded) until the test opens it.
final class Gate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() { isOpen.store(true, ordering: .releasing) }

    func waitUntilOpen(within limit: TimeInterval = 60) {
        let deadline = Date().addingTimeInterval(limit)
        while !isOpen.load(ordering: .acquiring), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }
}
