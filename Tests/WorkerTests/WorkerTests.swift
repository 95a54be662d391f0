import CostTracker
import DecomposerCore
import Foundation
import ImageCodec
import Synchronization
import SystemSupport
import Testing
import TestSupport
import Worker
import CurlHTTP
import ServiceLifecycle

@Suite struct WorkerTests {
    @Test func aJobGoesThroughTheExactStagesAndItsLayersAreWrittenAsReceived() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let job = try await harness.withWorkers([try harness.makeWorker()]) {
            try await harness.waitUntilFinished([id])[0]
        }
        #expect(job.status == .completed)
        let events = try await harness.queue.events(of: id, after: 0)
        let stages = events.map { "\($0.status.rawValue) \($0.progress) \($0.message)" }
        #expect(stages == [
            "queued 0 Waiting for a worker", "processing 10 Preparing image", "processing 30 Running on GPU",
            "processing 80 Saving layers", "completed 100 Done",
        ])
        #expect(job.attempts == 1)
        #expect(job.layers.map(\.filename) == ["layer_0.png", "layer_1.png", "layer_2.png"])
        let folder = harness.results.appendingPathComponent(id.lowercasedString).appendingPathComponent("1")
        #expect(job.layersAttempt == 1, "the layers are in the folder of the attempt that made them")
        for layer in job.layers {
            #expect(layer.url == "/results/\(id.lowercasedString)/\(layer.filename)")
            #expect(layer.width == 40 && layer.height == 30)
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(layer.filename)))
            let expected = try ImageEncoder.png(WorkerHarness.gradient(width: 40, height: 30, alpha: true, seed: layer.index))
            #expect(bytes == expected, "stored exactly as the endpoint sent it")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 3, "no temp files left")
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 1 && cost.failedRequests == 0)
    }

    @Test func neverMoreThanTheConcurrencyLimitAtOnceAndEveryJobCompletes() async throws {
        let harness = try await WorkerHarness { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request), delay: .milliseconds(60))
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(40, layers: 2)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 4)]) {
            try await harness.waitUntilFinished(ids, within: .seconds(120))
        }
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(harness.endpoint.maxConcurrentRequests <= 4)
        #expect(harness.endpoint.maxConcurrentRequests >= 2, "jobs do run concurrently")
        #expect(harness.endpoint.requestCount == 40)
    }

    @Test func aRetryableErrorIsRetriedDurablyThenTheJobCompletes() async throws {
        let harness = try await WorkerHarness { number, request in
            number == 1
                ? .json(503, #"{"error":{"code":503,"message":"The model is loading","status":"UNAVAILABLE"}}"#)
                : WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let job = try await harness.withWorkers([try harness.makeWorker()]) { try await harness.waitUntilFinished([id])[0] }
        #expect(job.status == .completed)
        #expect(job.attempts == 2)
        let waiting = try await harness.queue.events(of: id, after: 0).first { $0.status == .queued && $0.version > 1 }
        #expect(waiting?.message.hasPrefix("GPU endpoint unavailable") == true)
        #expect(waiting?.message.contains("(attempt 2 of 4)") == true)
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 2 && cost.failedRequests == 1, "every call that reached the endpoint is billed")
    }

    @Test func callsThatNeverReachedTheEndpointAreNotBilled() async throws {
        let harness = try await WorkerHarness(maxAttempts: 2) { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        // Nothing listens there: every attempt fails to connect.
        let closedPort = try ClosedLoopbackPort()
        defer { withExtendedLifetime(closedPort) {} }
        let closed = closedPort.url
        let id = try #require(try await harness.enqueue(1).first)
        let job = try await harness.withWorkers([try harness.makeWorker(endpointURL: closed)]) {
            try await harness.waitUntilFinished([id])[0]
        }
        #expect(job.status == .failed)
        #expect(job.error?.code == "connection_failed")
        #expect(job.attempts == 2)
        #expect(job.costMicros == 0)
        #expect(try await harness.costs.days(last: 1).first?.requests ?? 0 == 0, "no GPU time was spent")
    }

    @Test func aFinalErrorFailsTheJobWithTheGoogleStatus() async throws {
        let harness = try await WorkerHarness { _, _ in
            .json(400, #"{"error":{"code":400,"message":"image is not a supported format","status":"INVALID_ARGUMENT"}}"#)
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let job = try await harness.withWorkers([try harness.makeWorker()]) { try await harness.waitUntilFinished([id])[0] }
        #expect(job.status == .failed)
        #expect(job.error?.code == "bad_request")
        #expect(job.error?.googleStatus == "INVALID_ARGUMENT")
        #expect(job.error?.message.contains("image is not a supported format") == true)
        #expect(harness.endpoint.requestCount == 1, "a final error is not retried")
    }

    @Test func aMissingUploadFailsAtOnceWithoutCallingTheEndpoint() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let id = try await harness.queue.enqueue(JobRequest(fileID: UUID())).jobID
        let job = try await harness.withWorkers([try harness.makeWorker()]) { try await harness.waitUntilFinished([id])[0] }
        #expect(job.status == .failed && job.error?.code == "upload_missing")
        #expect(harness.endpoint.requestCount == 0)
    }

    @Test func aRateLimitPausesTheWholeFleetForTheRetryAfterTime() async throws {
        let arrivals = ArrivalTimes()
        let harness = try await WorkerHarness(respond: Self.rateLimitingTheFirstCall(arrivals))
        defer { harness.shutdown() }
        let first = try await harness.enqueue(1)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 2), try harness.makeWorker(concurrency: 2)]) {
            try await harness.waitFor { arrivals.all.count >= 1 }
            try await harness.waitFor { try await harness.queue.job(first[0])?.status == .queued }
            let more = try await harness.enqueue(5)
            return try await harness.waitUntilFinished(first + more)
        }
        #expect(jobs.allSatisfy { $0.status == .completed })
        arrivals.expectNothingDuringThePause(expectedCalls: 7)
    }

    @Test func aRateLimitThatUsesUpAJobsAttemptsStillPausesTheWholeFleet() async throws {
        let arrivals = ArrivalTimes()
        let harness = try await WorkerHarness(maxAttempts: 1, respond: Self.rateLimitingTheFirstCall(arrivals))
        defer { harness.shutdown() }
        let first = try await harness.enqueue(1)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 2), try harness.makeWorker(concurrency: 2)]) {
            let failed = try await harness.waitUntilFinished(first)
            let more = try await harness.enqueue(3)
            return failed + (try await harness.waitUntilFinished(more))
        }
        #expect(jobs[0].status == .failed && jobs[0].error?.code == "gpu_rate_limited", "its only attempt was used up")
        #expect(jobs.dropFirst().allSatisfy { $0.status == .completed })
        arrivals.expectNothingDuringThePause(expectedCalls: 4)
    }

    @Test func aJobClaimedAheadHonoursAPauseThatBeganWhileItWaitedForItsSlot() async throws {
        let arrivals = ArrivalTimes()
        // The 429 comes late, so the second job is claimed ahead and prepared before the pause begins.
        let harness = try await WorkerHarness(respond: Self.rateLimitingTheFirstCall(arrivals, after: .milliseconds(500)))
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(3)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 1)]) {
            try await harness.waitUntilFinished(ids)
        }
        #expect(jobs.allSatisfy { $0.status == .completed })
        arrivals.expectNothingDuringThePause(expectedCalls: 4, from: .milliseconds(500))
    }

    /// An endpoint whose first answer is 429 with `Retry-After: 2` (sent `after` a delay) and
    /// every later one a prediction.
    private static func rateLimitingTheFirstCall(
        _ arrivals: ArrivalTimes, after delay: Duration = .zero
    ) -> @Sendable (Int, TestHTTPServer.Request) -> TestHTTPServer.Reply {
        { number, request in
            arrivals.record()
            if number == 1 {
                return .json(429, #"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#,
                             headers: ["Retry-After": "2"], delay: delay)
            }
            return WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
    }

    @Test func cancellingARunningJobAbortsItsRequest() async throws {
        let harness = try await WorkerHarness { _, _ in .hang }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let worker = try harness.makeWorker(timeout: .seconds(60))
        try await harness.withWorkers([worker]) {
            try await harness.waitFor { harness.endpoint.requestCount == 1 }
            #expect(try await harness.queue.cancel(id) == .cancelled(was: .processing))
            try await harness.waitFor({ harness.endpoint.abandonedRequests == 1 }, within: .seconds(30))
            try await harness.waitFor { worker.jobsInFlight == 0 }
        }
        let job = try #require(try await harness.queue.job(id))
        #expect(job.status == .cancelled)
        // The aborted request had reached the endpoint: its GPU time is billed, once.
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 1 && cost.failedRequests == 1)
        #expect(job.costMicros == cost.microdollars)
    }

    @Test func onShutdownAJobThatOutlivesTheGraceIsHandedBackAndAnotherWorkerFinishesIt() async throws {
        let harness = try await WorkerHarness { number, request in
            number == 1 ? .hang : WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        try await harness.withWorkers([try harness.makeWorker(grace: .milliseconds(300), timeout: .seconds(60))]) {
            try await harness.waitFor { harness.endpoint.requestCount == 1 }
        }
        let handedBack = try #require(try await harness.queue.job(id))
        #expect(handedBack.status == .queued, "not stuck in processing, not lost")
        #expect(handedBack.recoveries == 0, "handed back at once, not recovered after lease expiry")
        let job = try await harness.withWorkers([try harness.makeWorker()]) { try await harness.waitUntilFinished([id])[0] }
        #expect(job.status == .completed)
    }

    @Test func onShutdownAJobWithinTheGraceFinishes() async throws {
        let harness = try await WorkerHarness { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request), delay: .milliseconds(500))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        try await harness.withWorkers([try harness.makeWorker(grace: .seconds(20))]) {
            try await harness.waitFor { harness.endpoint.requestCount == 1 }
        }
        #expect(try await harness.queue.job(id)?.status == .completed)
    }
}

@Suite struct WorkerShutdownTests {
    @Test func theGraceCountsFromTheSignalEvenWhenEverySlotIsBusy() async throws {
        let harness = try await WorkerHarness { _, _ in .hang }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(2)
        let started = ContinuousClock.now
        try await harness.withWorkers([try harness.makeWorker(concurrency: 2, grace: .milliseconds(500), timeout: .seconds(120))]) {
            try await harness.waitFor { harness.endpoint.requestCount == 2 }
        }
        #expect(ContinuousClock.now - started < .seconds(30), "shutdown took the grace period, not a whole GPU call")
        for id in ids { #expect(try await harness.queue.job(id)?.status == .queued) }
    }
}

@Suite struct WorkerHealthTests {
    @Test func healthReadinessAndMetricsAreServedOnTheWorkerPort() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let worker = try harness.makeWorker()
        let port = try freeLoopbackPort()
        let health = WorkerHealthServer.make(worker: worker, host: "127.0.0.1", port: port, logger: .init(label: "health"))
        let ids = try await harness.enqueue(2)
        try await harness.withWorkers([health, worker]) {
            _ = try await harness.waitUntilFinished(ids)
            try await Self.expectHealthReadinessAndMetrics(at: port, http: harness.http)
        }
    }

    private static func expectHealthReadinessAndMetrics(at port: Int, http: CurlHTTPClient) async throws {
        let base = "http://127.0.0.1:\(port)"
        func get(_ path: String) async throws -> HTTPResponse {
            var last: Error?
            for _ in 0..<100 {
                do { return try await http.send(HTTPRequest(url: base + path)) } catch { last = error }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw last ?? TestSupportError("no answer")
        }
        #expect(try await get("/healthz").status == 200)
        let ready = try await get("/readyz")
        #expect(ready.status == 200)
        let metrics = String(decoding: try await get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"decomposer_worker_jobs_total{outcome="completed"} 2"#))
        #expect(metrics.contains("decomposer_worker_endpoint_call_duration_seconds_count 2"))
        #expect(metrics.contains(#"decomposer_queue_depth_jobs{state="waiting"} 0"#))
        #expect(metrics.contains("decomposer_queue_demand_jobs 0"), "the autoscaling gauge, from the worker too")
        #expect(metrics.contains("decomposer_queue_claimable 1"))
    }

    @Test func readinessFailsWhileTheWorkerDrains() async throws {
        let harness = try await WorkerHarness { _, _ in .hang }
        defer { harness.shutdown() }
        let worker = try harness.makeWorker(grace: .seconds(3), timeout: .seconds(60))
        let port = try freeLoopbackPort()
        let health = WorkerHealthServer.make(worker: worker, host: "127.0.0.1", port: port, logger: .init(label: "health"))
        _ = try await harness.enqueue(1)
        let group = ServiceGroup(configuration: .init(services: [health, worker], logger: .init(label: "group")))
        let running = Task { try await group.run() }
        try await harness.waitFor { harness.endpoint.requestCount == 1 }
        await group.triggerGracefulShutdown()
        var status = 0
        var body = ""
        for _ in 0..<100 where status != 503 {
            if let response = try? await harness.http.send(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz")) {
                status = response.status
                body = String(decoding: response.body, as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status == 503)
        #expect(body.contains("shutting down"))
        try await running.value
    }
}

/// When each request reached the in-test endpoint.
final class ArrivalTimes: Sendable {
    private let times = Mutex<[ContinuousClock.Instant]>([])

    func record() { times.withLock { $0.append(.now) } }

    var all: [ContinuousClock.Instant] { times.withLock { $0 } }

    /// After the first call's 429 (`Retry-After: 2`, answered `from` its arrival), no worker
    /// called until the pause was over.
    func expectNothingDuringThePause(
        expectedCalls: Int, from answer: Duration = .zero, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let times = all
        #expect(times.count == expectedCalls, sourceLocation: sourceLocation)
        for later in times.dropFirst() {
            #expect(later - times[0] >= answer + .milliseconds(1_950), "no worker called the endpoint during the pause",
                    sourceLocation: sourceLocation)
        }
    }
}
