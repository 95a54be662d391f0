import DecomposerCore
import Foundation
import ImageCodec
import SystemSupport
import Testing
import TestSupport

/// A real `decomposer worker` process, killed with SIGKILL mid-job.
@Suite struct WorkerCrashTests {
    @Test func aJobWhoseWorkerIsKilledIsRecoveredAndCompletedByAnother() async throws {
        let harness = try await WorkerHarness(lease: .seconds(3)) { number, request in
            number == 1 ? .hang : WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)

        let server = harness.server
        let doomed = try startWorkerProcess(environment: [
            "REDIS_URL": server.url, "REDIS_KEY_PREFIX": harness.queue.keys.prefix,
            "UPLOADS_DIR": harness.uploads.directory.path, "RESULTS_DIR": harness.results.path,
            "VERTEX_AI_API_ENDPOINT": harness.endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
            "JOB_LEASE_SECONDS": "3", "LOG_LEVEL": "info",
        ])
        defer { if doomed.isRunning { kill(doomed.processIdentifier, SIGKILL) } }
        do {
            try await harness.waitFor({ harness.endpoint.requestCount >= 1 }, within: .seconds(60))
        } catch {
            let job = try await harness.queue.job(id)
            let counts = try await harness.queue.counts()
            Issue.record("the worker process never called the endpoint; job: \(String(describing: job?.status)) \(job?.message ?? "") counts: \(counts)")
            throw error
        }
        #expect(try await harness.queue.job(id)?.status == .processing)
        kill(doomed.processIdentifier, SIGKILL)
        await doomed.exited()

        let job = try await harness.withWorkers([try harness.makeWorker()]) {
            try await harness.waitUntilFinished([id], within: .seconds(60))[0]
        }
        #expect(job.status == .completed)
        #expect(job.recoveries == 1)
        #expect(job.attempts == 2)
        for layer in job.layers {
            let url = harness.results.appendingPathComponent("\(id.lowercasedString)/2").appendingPathComponent(layer.filename)
            let decoded = try ImageDecoder.decode([UInt8](try Data(contentsOf: url)), maxPixels: 1_000_000)
            #expect(decoded.width == layer.width && decoded.height == layer.height, "complete, valid PNGs")
        }
    }

    @Test func sigtermHandsTheRunningJobBackAndExitsZero() async throws {
        let harness = try await WorkerHarness { number, request in
            number == 1 ? .hang : WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let worker = try startWorkerProcess(environment: [
            "REDIS_URL": harness.server.url, "REDIS_KEY_PREFIX": harness.queue.keys.prefix,
            "UPLOADS_DIR": harness.uploads.directory.path, "RESULTS_DIR": harness.results.path,
            "VERTEX_AI_API_ENDPOINT": harness.endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
            "SHUTDOWN_GRACE_SECONDS": "1", "LOG_LEVEL": "info",
        ])
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        try await harness.waitFor({ harness.endpoint.requestCount >= 1 }, within: .seconds(60))
        kill(worker.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(30)
        while worker.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!worker.isRunning, "the worker exits within its grace period")
        #expect(worker.terminationStatus == 0)
        let job = try #require(try await harness.queue.job(id))
        #expect(job.status == .queued, "handed back, not stuck in processing")
        #expect(job.recoveries == 0, "another worker can take it at once")
        #expect(harness.endpoint.abandonedRequests == 1, "its GPU request was aborted")
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 1, "the aborted call is billed once, not twice")
    }

    private func startWorkerProcess(environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = ["worker"]
        process.environment = environment.merging(["ENV_FILE": "/nonexistent/.env", "PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("crash-worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        print("worker log: \(log.path)")
        try process.run()
        return process
    }
}
