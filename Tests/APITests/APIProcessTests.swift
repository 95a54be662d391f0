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
        let port = try freeLoopbackPort()
        let log = root.appendingPathComponent("api.log")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = ["api", "--with-worker"]
        process.environment = [
            "PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "REDIS_URL": redis.url,
            "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("apiproc"), "HOST": "127.0.0.1", "PORT": String(port),
            "UPLOADS_DIR": root.appendingPathComponent("uploads").path, "RESULTS_DIR": root.appendingPathComponent("results").path,
            "VERTEX_AI_API_ENDPOINT": endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"

        try await waitUntil {
            (try? await http.send(HTTPRequest(url: base + "/readyz", timeout: .seconds(2))))?.status == 200
        }
        let boundary = "b-\(UUID().uuidString)"
        let upload = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/upload",
            headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
            body: Multipart.form(boundary: boundary, parts: [("file", "poster.jpg", "image/jpeg", try Fixtures.jpeg(width: 200, height: 300))])))
        #expect(upload.status == 201, "\(upload.text)")
        let fileID = try #require(try upload.json()["file_id"] as? String)
        let queued = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(fileID)","num_layers":3,"resolution":640}"#.utf8)))
        #expect(queued.status == 202)
        let jobID = try #require(try queued.json()["job_id"] as? String)

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

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
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
