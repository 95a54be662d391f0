import CostTracker
import CurlHTTP
import DecomposerCore
import Foundation
import GoogleAuth
import ImageCodec
import Logging
import Redis
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport
import VertexClient
import Worker

/// Real Redis, a fault-injecting in-test endpoint, temp folders, and workers.
final class WorkerHarness: Sendable {
    let server: RedisServer
    let redis: RedisClient
    let queue: JobQueue
    let endpoint: TestHTTPServer
    let http = CurlHTTPClient()
    let root: URL
    let uploads: UploadStore
    let results: URL
    let costs: CostTracker
    let fileID = UUID()

    /// `respond` decides each endpoint answer from the request number (1-based). `server`: a
    /// Redis of the test's own (to stop and restart) instead of the shared one.
    init(server: RedisServer? = nil, lease: Duration = .seconds(30), maxAttempts: Int = 4,
         respond: @escaping @Sendable (Int, TestHTTPServer.Request) -> TestHTTPServer.Reply) async throws {
        if let server { self.server = server } else { self.server = try await SharedRedis.server() }
        redis = self.server.makeClient()
        let prefix = SharedRedis.uniquePrefix("w")
        queue = JobQueue(redis: redis, keys: QueueKeys(prefix: prefix),
                         policy: QueuePolicy(leaseDuration: lease, maxAttempts: maxAttempts))
        let counter = Atomic<Int>(0)
        endpoint = try TestHTTPServer { request in
            respond(counter.wrappingAdd(1, ordering: .relaxed).newValue, request)
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)")
        uploads = UploadStore(directory: root.appendingPathComponent("uploads"))
        results = root.appendingPathComponent("results")
        costs = CostTracker(queue: queue, rate: GPURate(usdPerHour: 0.45))
        try FileManager.default.createDirectory(at: uploads.directory, withIntermediateDirectories: true)
        let poster = try ImageEncoder.png(Self.gradient(width: 96, height: 64, alpha: false))
        try Data(poster).write(to: uploads.url(for: fileID, fileExtension: "png"))
    }

    func makeWorker(
        concurrency: Int = 4, grace: Duration = .seconds(30), timeout: Duration = .seconds(10), costs: CostTracker? = nil,
        endpointURL: String? = nil, resultCache: ResultCachePolicy? = nil, redis workerRedis: RedisClient? = nil
    ) throws -> WorkerService {
        // `redis`: the worker's own client (through a proxy, say) to the harness's queue.
        let shared = self.queue
        let queue = workerRedis.map { JobQueue(redis: $0, keys: shared.keys, policy: shared.policy) } ?? shared
        let client = VertexPredictionClient(
            endpoint: try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e",
                                             baseURL: URL(string: endpointURL ?? endpoint.baseURL)),
            auth: NoAuthentication(), http: http, timeout: timeout)
        return WorkerService(
            queue: queue, client: client, costs: costs ?? self.costs,
            storage: FilesystemStorage(uploadsDirectory: uploads.directory, resultsDirectory: results),
            backoff: BackoffPolicy(base: .milliseconds(50), cap: .milliseconds(200), maxRetries: queue.policy.maxAttempts - 1,
                                   random: { $0.upperBound }),
            maxImagePixels: 50_000_000, concurrency: concurrency, shutdownGrace: grace, resultCache: resultCache,
            logger: Logger(label: "worker-test"))
    }

    /// Runs workers (and a health server) in a ServiceGroup, as `decomposer worker` does, until
    /// `body` returns, then shuts them down gracefully. When `body` fails after a service did (a
    /// port it could not bind ends the group and stops the workers), the report names both.
    func withWorkers<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services, logger: Logger(label: "group")))
        let running = Task { try await group.run() }
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await running.value
            return value
        } catch {
            await group.triggerGracefulShutdown()
            if case .failure(let serviceError) = await running.result {
                throw TestSupportError("\(error), after a service failed: \(serviceError)")
            }
            throw error
        }
    }

    func enqueue(_ count: Int, layers: Int = 3) async throws -> [UUID] {
        var ids: [UUID] = []
        for _ in 0..<count {
            ids.append(try await queue.enqueue(JobRequest(fileID: fileID, numLayers: layers, resolution: 640)).jobID)
        }
        return ids
    }

    /// Waits (bounded) until every job is finished; returns them.
    func waitUntilFinished(_ ids: [UUID], within limit: Duration = .seconds(60)) async throws -> [Job] {
        let deadline = ContinuousClock.now + limit
        while true {
            var jobs: [Job] = []
            for id in ids { if let job = try await queue.job(id) { jobs.append(job) } }
            if jobs.count == ids.count && jobs.allSatisfy({ $0.status.isFinished }) { return jobs }
            if ContinuousClock.now > deadline {
                throw TestSupportError("jobs not finished in time: \(jobs.map { "\($0.status.rawValue) \($0.message)" })")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func waitFor(_ condition: () async throws -> Bool, within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            if ContinuousClock.now > deadline { throw TestSupportError("condition not met in time") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func shutdown() {
        endpoint.stop()
        http.shutdown()
        redis.shutdown()
        try? FileManager.default.removeItem(at: root)
    }

    /// A prediction answer with `count` real RGBA PNG layers, sent after `delay`.
    static func prediction(layers count: Int, delay: Duration = .zero) -> TestHTTPServer.Reply {
        let layers = (0..<count).map { index -> String in
            let png = (try? ImageEncoder.png(gradient(width: 40, height: 30, alpha: true, seed: index))) ?? []
            return "\"\(Data(png).base64EncodedString())\""
        }
        let body = #"{"predictions":[{"layers":[\#(layers.joined(separator: ","))]}],"deployedModelId":"1"}"#
        return .respond(status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8), delay: delay)
    }

    static func layerCount(in request: TestHTTPServer.Request) -> Int {
        let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        return ((json?["instances"] as? [[String: Any]])?.first?["layers"] as? Int) ?? 0
    }

    static func gradient(width: Int, height: Int, alpha: Bool, seed: Int = 0) -> RasterImage {
        TestImages.gradient(width: width, height: height, alpha: alpha, seed: seed)
    }
}
