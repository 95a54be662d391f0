import CurlHTTP
import Foundation
import ImageCodec
import Testing
import TestSupport

/// `decomposer api --with-worker` as an operator runs it: one process, real
/// Redis, an in-test prediction endpoint; SIGTERM ends it with exit 0.
@Suite struct APIProcessTests {
    @Test func oneProcessServesTheAPIAndRunsJobsThenStopsCleanlyOnSIGTERM() async throws {
        let redis = try await SharedRedis.server()
        let endpoint = try TestHTTPServer { request in Self.prediction(for: request) }
        defer { endpoint.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("api-process-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let log = root.appendingPathComponent("api.log")
        let (process, port) = try Self.startAPI(root: root, endpoint: endpoint, redis: redis, log: log)
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"

        try await waitUntil {
            (try? await http.send(HTTPRequest(url: base + "/readyz", timeout: .seconds(2))))?.status == 200
        }
        let jobID = try await Self.uploadAndQueue(
            ("poster.jpg", "image/jpeg", try Fixtures.jpeg(width: 200, height: 300)), layers: 3, base: base, http: http)

        var job: [String: Any] = [:]
        try await waitUntil {
            job = try await http.send(HTTPRequest(url: base + "/api/jobs/\(jobID)")).json()
            return (job["status"] as? String).map { ["completed", "failed", "cancelled"].contains($0) } ?? false
        }
        #expect(job["status"] as? String == "completed", "\(job)")
        let layers = try #require(job["layers"] as? [[String: Any]])
        #expect(layers.count == 3)
        for layer in layers {
            let png = try await http.send(HTTPRequest(url: base + (layer["url"] as? String ?? "")))
            #expect(png.status == 200)
            #expect(try ImageHeader.probe(png.body).format == .png)
        }
        #expect((job["cost_usd"] as? Double ?? 0) > 0)
        let metrics = try await http.send(HTTPRequest(url: base + "/metrics")).text
        #expect(metrics.contains("decomposer_worker_jobs_total"), "the in-process worker's metrics are served too")
        let families = metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(families.count == Set(families).count, "each metric family appears once: \(families)")

        process.terminate()  // SIGTERM
        await process.exited()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
    }

    @Test func submitUploadsFollowsTheJobAndDownloadsTheLayers() async throws {
        let redis = try await SharedRedis.server()
        let endpoint = try TestHTTPServer { request in Self.prediction(for: request) }
        defer { endpoint.stop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("submit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (api, port) = try Self.startAPI(root: root, endpoint: endpoint, redis: redis, extra: ["API_KEY": "k3y"])
        defer { api.terminate(); api.waitUntilExit() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        try await waitUntil {
            (try? await http.send(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(2))))?.status == 200
        }
        let poster = root.appendingPathComponent("summer.jpg")
        try Data(try Fixtures.jpeg(width: 320, height: 480)).write(to: poster)
        let environment = ["DECOMPOSER_API_URL": "http://127.0.0.1:\(port)", "API_KEY": "k3y"]

        let done = try await runSubmit(["submit", poster.path, "--layers", "3", "--resolution", "640"], in: root, environment: environment)
        #expect(done.status == 0, "\(done.standardError)")
        let lines = done.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Job ") == true)
        #expect(lines.contains("processing 30% Running on GPU"), "one plain line per stage when stdout is not a terminal: \(lines)")
        #expect(lines.contains("completed 100% Done"))
        #expect(lines.last?.contains("3 layers in") == true)
        let folder = root.appendingPathComponent("summer-layers")
        for index in 0..<3 {
            let png = try Data(contentsOf: folder.appendingPathComponent("layer_\(index).png"))
            #expect(try ImageHeader.probe(Array(png)).format == .png)
        }

        let text = root.appendingPathComponent("notes.png")
        try Data("not an image".utf8).write(to: text)
        let refused = try await runSubmit(["submit", text.path], in: root, environment: environment)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("not a PNG or JPEG image"), "\(refused.standardError)")
        let unauthorized = try await runSubmit(["submit", poster.path], in: root, environment: ["DECOMPOSER_API_URL": "http://127.0.0.1:\(port)"])
        #expect(unauthorized.status == 1)
        #expect(unauthorized.standardError.contains("unauthorized"))
    }

    /// Starts `decomposer api --with-worker` on a free port, its files under `root`, its log in `log`.
    /// Uploads a poster through the running API and queues its decomposition at 640 px; the job's id.
    static func uploadAndQueue(
        _ poster: (name: String, type: String, bytes: [UInt8]), layers: Int, base: String, http: CurlHTTPClient
    ) async throws -> String {
        let boundary = "b-\(UUID().uuidString)"
        let upload = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/upload",
            headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
            body: Multipart.form(boundary: boundary, parts: [("file", poster.name, poster.type, poster.bytes)])))
        #expect(upload.status == 201, "\(upload.text)")
        let fileID = try #require(try upload.json()["file_id"] as? String)
        let queued = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(fileID)","num_layers":\#(layers),"resolution":640}"#.utf8)))
        #expect(queued.status == 202)
        return try #require(try queued.json()["job_id"] as? String)
    }

    static func startAPI(
        root: URL, endpoint: TestHTTPServer, redis: RedisServer, log: URL? = nil, extra: [String: String] = [:]
    ) throws -> (Process, Int) {
        let port = try freeLoopbackPort()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = ["api", "--with-worker"]
        process.environment = [
            "PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "REDIS_URL": redis.url,
            "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("apiproc"), "HOST": "127.0.0.1", "PORT": String(port),
            "UPLOADS_DIR": root.appendingPathComponent("uploads").path, "RESULTS_DIR": root.appendingPathComponent("results").path,
            "VERTEX_AI_API_ENDPOINT": endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
        ].merging(extra) { $1 }
        process.standardOutput = FileHandle.nullDevice
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return (process, port)
    }

    /// Runs `decomposer` with files for output (not a terminal), in `folder`, off the concurrency pool.
    private func runSubmit(_ arguments: [String], in folder: URL, environment: [String: String]) async throws
        -> (status: Int32, standardOutput: String, standardError: String)
    {
        let out = folder.appendingPathComponent("out-\(UUID().uuidString)")
        let err = folder.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ["PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env"].merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let (ended, continuation) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        for await _ in ended {}
        return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self),
                String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// A prediction answer with as many small PNG layers as the request asks for.
    static func prediction(for request: TestHTTPServer.Request) -> TestHTTPServer.Reply {
        let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        let count = ((json?["instances"] as? [[String: Any]])?.first?["layers"] as? Int) ?? 0
        let layers = (0..<count).map { index in
            "\"\(Data((try? Fixtures.png(width: 40, height: 60, seed: index)) ?? []).base64EncodedString())\""
        }
        // 100 ms of "GPU time": enough to attribute a non-zero cost at the default rate.
        return .respond(
            status: 200, headers: ["Content-Type": "application/json"],
            body: Array(#"{"predictions":[{"layers":[\#(layers.joined(separator: ","))]}]}"#.utf8), delay: .milliseconds(100))
    }
}
