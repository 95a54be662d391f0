import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `STORAGE_BACKEND=gcs` with real processes: fake-gcs-server (the test stand-in for Cloud
/// Storage, as the local endpoint is for Vertex AI), `decomposer api` and `decomposer worker`
/// each given its own empty folders, so nothing can pass between them through the filesystem.
@Suite(.serialized) struct BucketStorageProcessTests {
    @Test func uploadsAndLayersGoThroughTheBucketAndAreServedByteForByte() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let (api, worker) = try await setup.launchStack()
        defer { worker.stop(); api.stop() }

        let fileID = try await setup.upload(to: api)
        let jobID = try await setup.decompose(fileID, on: api, layers: 3)
        let job = try await setup.waitUntilFinished([jobID], on: api, within: .seconds(60))[0]
        #expect(job["status"] as? String == "completed", "\(job)")

        let objects = try await setup.objectNames(prefix: "results/\(jobID)/")
        #expect(objects == (0..<3).map { "results/\(jobID)/1/layer_\($0).png" }, "in the folder of the attempt that made them")
        #expect(try await setup.objectNames(prefix: "uploads/") == ["uploads/\(fileID).jpg"])
        let layers = try #require(job["layers"] as? [[String: Any]])
        for (index, layer) in layers.enumerated() {
            let url = try #require(layer["url"] as? String)
            #expect(url == "/results/\(jobID)/layer_\(index).png")
            let served = try await setup.http.send(HTTPRequest(url: api.base + url))
            #expect(served.status == 200)
            #expect(served.headers["content-type"] == "image/png")
            #expect(served.body == (try Fixtures.png(width: 40, height: 60, seed: index)), "layer \(index) byte for byte")
            #expect(served.body == (try await setup.object("results/\(jobID)/1/layer_\(index).png")))
            let tag = try #require(served.headers["etag"])
            let again = try await setup.http.send(HTTPRequest(url: api.base + url, headers: [("If-None-Match", tag)]))
            #expect(again.status == 304)
        }
        let other = try await setup.http.send(HTTPRequest(url: api.base + "/results/\(jobID)/layer_7.png"))
        #expect(other.status == 404)

        // A refused upload leaves no object and no spool behind; an unknown file id is refused.
        let boundary = "b-\(UUID().uuidString)"
        let refused = try await setup.http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/upload",
            headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
            body: Multipart.form(boundary: boundary, parts: [("file", "notes.png", "image/png", Array("not an image".utf8))])))
        #expect(refused.status == 415 || refused.status == 422, "\(refused.text)")
        #expect(try await setup.objectNames(prefix: "uploads/") == ["uploads/\(fileID).jpg"])
        let spool = api.folder.appendingPathComponent("tmp/decomposer-storage/spool").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).isEmpty)
        let unknown = try await setup.http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(UUID().uuidString.lowercased())"}"#.utf8)))
        #expect(unknown.status == 404)
        for process in [api, worker] {
            for folder in ["uploads", "results"] {
                #expect(!FileManager.default.fileExists(atPath: process.folder.appendingPathComponent(folder).path),
                        "nothing is written under \(folder) with gcs")
            }
        }
    }

    @Test func jobsWaitWhileTheBucketIsDownAndCompleteWhenItIsBack() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let api = try setup.launch(["api"], folder: "api")
        defer { api.stop() }
        try await setup.waitUntilReady(api)
        let fileID = try await setup.upload(to: api)
        var jobIDs: [String] = []
        for _ in 0..<3 { jobIDs.append(try await setup.decompose(fileID, on: api, layers: 2)) }

        setup.gcs.stop()
        let worker = try setup.launch(["worker"], folder: "worker")
        defer { worker.stop() }
        // Every job is claimed, finds the bucket out of reach and waits (postponed, not failed).
        var seenWaiting: Set<String> = []
        try await poll(within: .seconds(90)) {
            for id in jobIDs {
                let job = try await setup.job(id, on: api)
                #expect(job["status"] as? String != "failed", "\(job)")
                if (job["message"] as? String)?.contains("Waiting for storage") == true { seenWaiting.insert(id) }
            }
            return seenWaiting.count == jobIDs.count
        }
        try await setup.gcs.restart()

        let jobs = try await setup.waitUntilFinished(jobIDs, on: api, within: .seconds(90))
        for job in jobs {
            #expect(job["status"] as? String == "completed", "\(job)")
            #expect(job["attempts"] as? Int == 1, "waiting for storage used no attempt: \(job)")
            let id = try #require(job["job_id"] as? String)
            let names = try await setup.objectNames(prefix: "results/\(id)/")
            #expect(names.count == 2, "every layer of a completed job is in the bucket")
            for (index, name) in names.enumerated() {
                #expect(try await setup.object(name) == (try Fixtures.png(width: 40, height: 60, seed: index)))
            }
        }
    }

    @Test func aReplyInHandIsSavedThroughABucketOutageWithoutCallingTheEndpointAgain() async throws {
        // The bucket goes down while the endpoint works on the job: its reply finds no storage.
        let setup = try await BucketSetup.start { gcs, request in
            gcs.stop()
            return APIProcessTests.prediction(for: request)
        }
        defer { setup.stop() }
        let api = try setup.launch(["api"], folder: "api")
        defer { api.stop() }
        try await setup.waitUntilReady(api)
        let jobID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 3)
        let worker = try setup.launch(["worker"], folder: "worker", extra: ["JOB_LEASE_SECONDS": "5"])
        defer { worker.stop() }

        // The worker holds the layers and keeps trying (and keeps its lease, several lease periods).
        try await poll(within: .seconds(60)) {
            let log = String(decoding: (try? Data(contentsOf: worker.log)) ?? Data(), as: UTF8.self)
            return log.contains("Storage unavailable; keeping the layers and trying again")
        }
        try await Task.sleep(for: .seconds(6))
        let waiting = try await setup.job(jobID, on: api)
        #expect(waiting["status"] as? String == "processing", "\(waiting)")
        #expect(waiting["recoveries"] as? Int == 0, "the lease was kept: \(waiting)")
        try await setup.gcs.restart()

        let job = try await setup.waitUntilFinished([jobID], on: api, within: .seconds(60))[0]
        #expect(job["status"] as? String == "completed", "\(job)")
        #expect(job["attempts"] as? Int == 1)
        #expect(setup.endpoint.requestCount == 1, "the endpoint was called once")
        let names = try await setup.objectNames(prefix: "results/\(jobID)/")
        #expect(names.count == 3)
        for (index, name) in names.enumerated() {
            #expect(try await setup.object(name) == (try Fixtures.png(width: 40, height: 60, seed: index)))
        }
    }

    @Test func aWorkerKilledWhileSavingLeavesAJobAnotherCompletesWithWholeLayers() async throws {
        // The first call's reply finds the bucket down, so its worker is killed while saving.
        let firstCall = FirstCall()
        let setup = try await BucketSetup.start { gcs, request in
            if firstCall.claim() { gcs.stop() }
            return APIProcessTests.prediction(for: request)
        }
        defer { setup.stop() }
        let api = try setup.launch(["api"], folder: "api")
        defer { api.stop() }
        try await setup.waitUntilReady(api)
        let jobID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        // What a worker killed between two layer uploads leaves: one object of its attempt, not the final bytes.
        try await setup.put("results/\(jobID)/1/layer_0.png", Array("half-written".utf8))
        let doomed = try setup.launch(["worker"], folder: "doomed", extra: ["JOB_LEASE_SECONDS": "3"])
        try await poll(within: .seconds(60)) {
            let log = String(decoding: (try? Data(contentsOf: doomed.log)) ?? Data(), as: UTF8.self)
            return log.contains("Storage unavailable; keeping the layers and trying again")
        }
        kill(doomed.process.processIdentifier, SIGKILL)
        await doomed.process.exited()
        try await setup.gcs.restart()

        let worker = try setup.launch(["worker"], folder: "worker", extra: ["JOB_LEASE_SECONDS": "3"])
        defer { worker.stop() }
        let job = try await setup.waitUntilFinished([jobID], on: api, within: .seconds(60))[0]
        #expect(job["status"] as? String == "completed", "\(job)")
        #expect(job["recoveries"] as? Int == 1, "\(job)")
        // The second attempt wrote a folder of its own; whatever the first left is never what is served.
        let names = try await setup.objectNames(prefix: "results/\(jobID)/2/")
        #expect(names == ["results/\(jobID)/2/layer_0.png", "results/\(jobID)/2/layer_1.png"])
        for (index, name) in names.enumerated() {
            let expected = try Fixtures.png(width: 40, height: 60, seed: index)
            #expect(try await setup.object(name) == expected, "\(name) whole")
            let served = try await setup.http.send(HTTPRequest(url: api.base + "/results/\(jobID)/layer_\(index).png"))
            #expect(served.status == 200 && served.body == expected, "layer \(index) is served from the completing attempt")
        }
    }

    @Test func aSignedURLRedirectPointsAtTheBucketsHost() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let key = setup.root.appendingPathComponent("key.json")
        try Self.writeServiceAccountKey(to: key)
        // The key signs URLs in the API; the worker has none (it would be the prediction call's too).
        let api = try setup.launch(["api"], folder: "api", extra: [
            "GCS_SIGNED_URLS": "true", "GCS_SIGNED_URL_SECONDS": "300", "GOOGLE_APPLICATION_CREDENTIALS": key.path,
        ])
        defer { api.stop() }
        let worker = try setup.launch(["worker"], folder: "worker")
        defer { worker.stop() }
        try await setup.waitUntilReady(api)
        let jobID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let job = try await setup.waitUntilFinished([jobID], on: api, within: .seconds(60))[0]
        #expect(job["status"] as? String == "completed", "\(job)")
        let layers = try #require(job["layers"] as? [[String: Any]])
        #expect(layers.first?["url"] as? String == "/results/\(jobID)/layer_0.png", "the job JSON keeps the API path")

        let reply = try await setup.http.send(HTTPRequest(url: api.base + "/results/\(jobID)/layer_0.png"))
        #expect(reply.status == 302)
        let location = try #require(reply.headers["location"])
        #expect(location.hasPrefix("\(setup.gcs.endpoint)/\(setup.bucket)/results/\(jobID)/1/layer_0.png?X-Goog-Algorithm=GOOG4-RSA-SHA256"), "\(location)")
        #expect(location.contains("X-Goog-Expires=300"))
        #expect(location.contains("X-Goog-Signature="))
    }

    /// A service-account key file with a new RSA key (made by openssl, test-only).
    static func writeServiceAccountKey(to url: URL) throws {
        let pemFile = url.deletingLastPathComponent().appendingPathComponent("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pemFile.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSupportError("openssl genpkey failed") }
        let key: [String: String] = [
            "type": "service_account", "client_email": "layers@poster-test.iam.gserviceaccount.com",
            "private_key": try String(contentsOf: pemFile, encoding: .utf8), "token_uri": "http://127.0.0.1:1/token",
        ]
        try JSONSerialization.data(withJSONObject: key).write(to: url)
    }
}

/// fake-gcs-server with a fresh bucket, Redis, an in-test prediction endpoint, and the processes
/// started over them.
struct BucketSetup {
    let gcs: FakeGCSServer
    let bucket: String
    let redis: RedisServer
    let endpoint: TestHTTPServer
    let http: CurlHTTPClient
    let root: URL
    let keyPrefix: String

    /// `prediction` answers the worker's endpoint calls; it may act on the emulator (stop it).
    static func start(
        prediction: @escaping @Sendable (FakeGCSServer, TestHTTPServer.Request) -> TestHTTPServer.Reply = { _, request in
            APIProcessTests.prediction(for: request)
        }
    ) async throws -> BucketSetup {
        let gcs = try await FakeGCSServer.start()
        let bucket = "layers-\(UUID().uuidString.prefix(8).lowercased())"
        try await gcs.createBucket(bucket)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return BucketSetup(
            gcs: gcs, bucket: bucket, redis: try await SharedRedis.server(),
            endpoint: try TestHTTPServer { request in prediction(gcs, request) },
            http: CurlHTTPClient(), root: root, keyPrefix: SharedRedis.uniquePrefix("bucket"))
    }

    func stop() {
        endpoint.stop()
        http.shutdown()
        gcs.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// A running `decomposer` process and the empty folder it was given.
    struct Launched {
        let process: Process
        let port: Int
        let folder: URL
        let log: URL
        var base: String { "http://127.0.0.1:\(port)" }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    /// `decomposer <arguments>` with `STORAGE_BACKEND=gcs`; its `UPLOADS_DIR`, `RESULTS_DIR` and
    /// `TMPDIR` are in a folder of its own.
    func launch(_ arguments: [String], folder name: String, extra: [String: String] = [:]) throws -> Launched {
        let folder = root.appendingPathComponent(name)
        let scratch = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let log = folder.appendingPathComponent("process.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = arguments
        process.environment = [
            "PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "TMPDIR": scratch.path,
            "REDIS_URL": redis.url, "REDIS_KEY_PREFIX": keyPrefix, "HOST": "127.0.0.1", "PORT": String(port),
            "UPLOADS_DIR": folder.appendingPathComponent("uploads").path,
            "RESULTS_DIR": folder.appendingPathComponent("results").path,
            "STORAGE_BACKEND": "gcs", "GCS_BUCKET": bucket, "GCS_API_ENDPOINT": gcs.endpoint,
            "GCS_RETRY_DEADLINE_SECONDS": "2",
            // No credentials anywhere: a storage endpoint on loopback needs none.
            "GCE_METADATA_HOST": "127.0.0.1:\(try freeLoopbackPort())",
            "VERTEX_AI_API_ENDPOINT": endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
            "RETRY_BASE_DELAY": "0.2", "RETRY_MAX_DELAY": "1",
            // The tests reuse one poster on purpose: each job makes its own call unless a test turns the cache on.
            "CACHE_TTL_DAYS": "0",
        ].merging(extra) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return Launched(process: process, port: port, folder: folder, log: log)
    }

    func waitUntilReady(_ api: Launched) async throws {
        try await poll(within: .seconds(30)) {
            (try? await http.send(HTTPRequest(url: api.base + "/readyz", timeout: .seconds(2))))?.status == 200
        }
    }

    /// `decomposer api` and `decomposer worker` with the same `extra` settings, the API ready; the caller stops both.
    func launchStack(extra: [String: String] = [:]) async throws -> (api: Launched, worker: Launched) {
        let api = try launch(["api"], folder: "api", extra: extra)
        let worker: Launched
        do {
            worker = try launch(["worker"], folder: "worker", extra: extra)
            try await waitUntilReady(api)
        } catch {
            api.stop()
            throw error
        }
        return (api, worker)
    }

    func upload(to api: Launched) async throws -> String {
        let boundary = "b-\(UUID().uuidString)"
        let reply = try await http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/upload",
            headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
            body: Multipart.form(boundary: boundary, parts: [("file", "poster.jpg", "image/jpeg", try Fixtures.jpeg(width: 200, height: 300))])))
        guard reply.status == 201, let id = try reply.json()["file_id"] as? String else {
            throw TestSupportError("upload answered \(reply.status): \(reply.text)")
        }
        return id
    }

    func decompose(_ fileID: String, on api: Launched, layers: Int) async throws -> String {
        let reply = try await http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(fileID)","num_layers":\#(layers),"resolution":640}"#.utf8)))
        guard reply.status == 202, let id = try reply.json()["job_id"] as? String else {
            throw TestSupportError("decompose answered \(reply.status): \(reply.text)")
        }
        return id
    }

    func job(_ id: String, on api: Launched) async throws -> [String: Any] {
        try await http.send(HTTPRequest(url: api.base + "/api/jobs/\(id)")).json()
    }

    func waitUntilFinished(_ ids: [String], on api: Launched, within limit: Duration) async throws -> [[String: Any]] {
        var jobs: [[String: Any]] = []
        try await poll(within: limit) {
            jobs = []
            for id in ids { jobs.append(try await job(id, on: api)) }
            return jobs.allSatisfy { ["completed", "failed", "cancelled"].contains($0["status"] as? String ?? "") }
        }
        return jobs
    }

    /// Names in the bucket under `prefix`, in order, straight from the emulator.
    func objectNames(prefix: String) async throws -> [String] {
        let reply = try await http.send(HTTPRequest(
            url: "\(gcs.endpoint)/storage/v1/b/\(bucket)/o?prefix=\(prefix.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? prefix)"))
        let items = try reply.json()["items"] as? [[String: Any]] ?? []
        return items.compactMap { $0["name"] as? String }.sorted()
    }

    /// Writes an object straight into the emulator.
    func put(_ name: String, _ bytes: [UInt8]) async throws {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        let reply = try await http.send(HTTPRequest(
            method: "POST", url: "\(gcs.endpoint)/upload/storage/v1/b/\(bucket)/o?uploadType=media&name=\(encoded)",
            headers: [("Content-Type", "image/png")], body: bytes))
        guard reply.status == 200 else { throw TestSupportError("writing \(name): HTTP \(reply.status)") }
    }

    func object(_ name: String) async throws -> [UInt8] {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        let reply = try await http.send(HTTPRequest(url: "\(gcs.endpoint)/storage/v1/b/\(bucket)/o/\(encoded)?alt=media"))
        guard reply.status == 200 else { throw TestSupportError("object \(name): HTTP \(reply.status)") }
        return reply.body
    }
}

/// Polls `condition` until it holds, failing after `limit` (a bound, not a timing assertion).
func poll(within limit: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSupportError("condition not met within \(limit)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// True for the first caller only (the endpoint's first request).
final class FirstCall: Sendable {
    private let taken = Atomic(false)

    func claim() -> Bool { taken.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}
