import DecomposerCore
import Foundation
import Synchronization
import SystemSupport
import Testing
import TestSupport

/// `decomposer worker` processes delivering a job's webhook to a loopback receiver (the only host
/// they may reach: `WEBHOOK_ALLOWED_HOSTS=127.0.0.1`): one killed mid-delivery, the next one
/// delivers the event after the lease, with the same `webhook-id`, signed as Python's `hmac` computes.
@Suite struct WebhookWorkerProcessTests {
    private final class Received: Sendable {
        let requests = Mutex<[TestHTTPServer.Request]>([])
    }

    static let secret = "whsec_" + Data("webhook-process-test-secret".utf8).base64EncodedString()

    @Test func anEventWhoseWorkerIsKilledMidDeliveryIsDeliveredAfterRestart() async throws {
        let harness = try await WorkerHarness { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let received = Received()
        let receiver = try TestHTTPServer { request in
            let count = received.requests.withLock {
                $0.append(request)
                return $0.count
            }
            return count == 1 ? .hang : .respond(status: 204)
        }
        defer { receiver.stop() }
        let metadata = try ClosedLoopbackPort()
        let id = try await harness.queue.enqueue(
            JobRequest(fileID: harness.fileID, numLayers: 2, resolution: 640,
                       webhook: JobWebhook(url: receiver.baseURL + "/hooks/jobs"))).jobID
        let environment = [
            "REDIS_URL": harness.server.url, "REDIS_KEY_PREFIX": harness.queue.keys.prefix,
            "UPLOADS_DIR": harness.uploads.directory.path, "RESULTS_DIR": harness.results.path,
            "VERTEX_AI_API_ENDPOINT": harness.endpoint.baseURL, "VERTEX_AI_PROJECT_ID": "p", "VERTEX_AI_ENDPOINT_ID": "e",
            "GCE_METADATA_HOST": "127.0.0.1:\(metadata.port)", "LOG_LEVEL": "info",
            "WEBHOOK_SECRET": Self.secret, "WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "WEBHOOK_TIMEOUT_SECONDS": "2",
        ]
        let doomed = try startWorker(environment)
        defer { if doomed.isRunning { kill(doomed.processIdentifier, SIGKILL) } }
        try await harness.waitFor({ received.requests.withLock { $0.count } >= 1 }, within: .seconds(60))
        kill(doomed.processIdentifier, SIGKILL)
        await doomed.exited()
        #expect(try await harness.queue.job(id)?.status == .completed, "the job's own end never waited for its webhook")

        let successor = try startWorker(environment)
        defer { if successor.isRunning { kill(successor.processIdentifier, SIGKILL) } }
        try await harness.waitFor({ try await harness.queue.webhookState(of: id)?.delivered == 1 }, within: .seconds(60))
        kill(successor.processIdentifier, SIGTERM)
        await successor.exited()

        let requests = received.requests.withLock { $0 }
        #expect(requests.count >= 2)
        let ids = Set(requests.compactMap { $0.headers["webhook-id"] })
        #expect(ids.count == 1, "every try of the event has one webhook-id: \(ids)")
        let delivered = try #require(requests.last)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(delivered.body)) as? [String: Any])
        #expect(body["job_id"] as? String == id.lowercasedString)
        #expect(body["status"] as? String == "completed")
        #expect((body["layers"] as? [Any])?.count == 2)
        #expect(try pythonVerifies(delivered), "Python's hmac accepts the signature")
        // The delivery state, as an operator sees it.
        let show = try await runCapturingOutput(
            decomposerBinary(), ["jobs", "show", id.lowercasedString, "--format", "json"],
            environment: environment.merging(["ENV_FILE": "/nonexistent/.env", "PATH": "/usr/bin:/bin"]) { a, _ in a })
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.standardOutput.utf8)) as? [String: Any])
        let state = try #require(shown["webhook"] as? [String: Any], "\(show.standardOutput) \(show.standardError)")
        #expect(state["delivered"] as? Int == 1 && state["pending"] as? Int == 0 && state["last_result"] as? String == "HTTP 204")
        var tampered = delivered.body
        tampered[tampered.count / 2] ^= 1
        #expect(try !pythonVerifies(delivered, body: tampered), "and refuses a changed body")
    }

    /// The Standard Webhooks check, written independently in Python (stdlib `hmac`).
    private func pythonVerifies(_ request: TestHTTPServer.Request, body: [UInt8]? = nil) throws -> Bool {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hook-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bodyFile = folder.appendingPathComponent("body")
        try Data(body ?? request.body).write(to: bodyFile)
        let script = """
            import base64, hashlib, hmac, os, sys
            secret = os.environ["SECRET"]
            key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
            signed = (os.environ["ID"] + "." + os.environ["TS"] + ".").encode() + open(sys.argv[1], "rb").read()
            expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            sys.exit(0 if any(hmac.compare_digest(expected, s) for s in os.environ["SIG"].split()) else 1)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, bodyFile.path]
        process.environment = [
            "SECRET": Self.secret, "ID": request.headers["webhook-id"] ?? "", "TS": request.headers["webhook-timestamp"] ?? "",
            "SIG": request.headers["webhook-signature"] ?? "",
        ]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    private func startWorker(_ environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = decomposerBinary()
        process.arguments = ["worker"]
        process.environment = environment.merging(["ENV_FILE": "/nonexistent/.env", "PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        print("worker log: \(log.path)")
        try process.run()
        return process
    }
}
