import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `decomposer api --with-worker` as an integrator meets it: a job posted with a webhook (a loopback
/// receiver, the only host the process may reach) has its events delivered in order, counted in
/// `/metrics`; a receiver answering 410 gets nothing more for that job.
@Suite struct WebhookProcessTests {
    private final class Received: Sendable {
        let requests = Mutex<[TestHTTPServer.Request]>([])
        var statuses: [String] {
            requests.withLock { $0 }.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])?["status"] as? String
            }
        }
    }

    @Test func eventsArriveInOrderAndA410StopsTheJobsDeliveries() async throws {
        let redis = try await SharedRedis.server()
        let endpoint = try TestHTTPServer { request in APIProcessTests.prediction(for: request) }
        defer { endpoint.stop() }
        let ordered = Received()
        let receiver = try TestHTTPServer { request in
            ordered.requests.withLock { $0.append(request) }
            return .respond(status: 204)
        }
        defer { receiver.stop() }
        let gone = Received()
        let goneReceiver = try TestHTTPServer { request in
            gone.requests.withLock { $0.append(request) }
            return .respond(status: 410)
        }
        defer { goneReceiver.stop() }
        let metadata = try ClosedLoopbackPort()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-process-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (process, port) = try APIProcessTests.startAPI(root: root, endpoint: endpoint, redis: redis, extra: [
            "WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "WEBHOOK_ALLOW_HTTP": "true",
            "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "GCE_METADATA_HOST": "127.0.0.1:\(metadata.port)",
        ])
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil { (try? await http.send(HTTPRequest(url: base + "/readyz", timeout: .seconds(2))))?.status == 200 }

        let events = #""webhook_events":["processing","completed","failed","cancelled"]"#
        let first = try await decompose(base, http, #""webhook":"\#(receiver.baseURL)/hooks", \#(events)"#)
        let second = try await decompose(base, http, #""webhook":"\#(goneReceiver.baseURL)/hooks", \#(events)"#)
        try await waitUntil { ordered.statuses.count >= 2 && gone.statuses.count >= 1 }
        try await waitUntil {
            for id in [first, second] {
                let job = try await http.send(HTTPRequest(url: base + "/api/jobs/\(id)"))
                if (try? job.json()["status"] as? String) != "completed" { return false }
            }
            return try await http.send(HTTPRequest(url: base + "/metrics")).text
                .contains(#"decomposer_webhook_deliveries_total{outcome="delivered"} 2"#)
        }
        let metrics = try await http.send(HTTPRequest(url: base + "/metrics")).text
        #expect(metrics.contains(#"decomposer_webhook_deliveries_total{outcome="stopped"} 1"#), "\(metrics)")
        // A refused target, from the running process: 422 naming why, no job.
        let refused = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(UUID().uuidString)","webhook":"http://169.254.169.254/latest/"}"#.utf8)))
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.text.contains("invalid_webhook"))
        process.terminate()
        await process.exited()
        #expect(process.terminationStatus == 0)
        #expect(ordered.statuses == ["processing", "completed"])
        #expect(gone.statuses == ["processing"], "the 410 stopped the job's later events")
    }

    private func decompose(_ base: String, _ http: CurlHTTPClient, _ webhook: String) async throws -> String {
        let boundary = "b-\(UUID().uuidString)"
        let upload = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/upload",
            headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
            body: Multipart.form(boundary: boundary, parts: [("file", "poster.png", "image/png", try Fixtures.png(width: 64, height: 64))])))
        let fileID = try #require(try upload.json()["file_id"] as? String)
        let queued = try await http.send(HTTPRequest(
            method: "POST", url: base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(fileID)","num_layers":2,"resolution":640,\#(webhook)}"#.utf8)))
        #expect(queued.status == 202, "\(queued.text)")
        return try #require(try queued.json()["job_id"] as? String)
    }
}
