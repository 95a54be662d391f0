import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// `decomposer api --with-worker` with a receiver and a budget, as an operator runs it: the job's
/// own cost record decides the alerts, the process's delivery service POSTs each once.
@Suite struct CostAlertProcessTests {
    private final class Bodies: Sendable {
        let texts = Mutex<[String]>([])
    }

    @Test func theAPIProcessDeliversTheAlertsItsWorkerRaised() async throws {
        let redis = try await SharedRedis.server()
        let endpoint = try TestHTTPServer { request in APIProcessTests.prediction(for: request) }
        defer { endpoint.stop() }
        let bodies = Bodies()
        let receiver = try TestHTTPServer { request in
            let text = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String])?["text"] ?? "?"
            bodies.texts.withLock { $0.append(text) }
            return .respond(status: 200)
        }
        defer { receiver.stop() }
        let metadata = try ClosedLoopbackPort()
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-process-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let log = root.appendingPathComponent("api.log")
        // 1 µ$ per GPU millisecond against a 1 µ$ budget: the job's one call crosses 0.5, 0.8 and 1.0 at once.
        let (process, port) = try APIProcessTests.startAPI(root: root, endpoint: endpoint, redis: redis, log: log, extra: [
            "GPU_COST_PER_HOUR": "3.6", "DAILY_BUDGET_USD": "0.000001", "COST_ALERT_FORMAT": "slack",
            "COST_ALERT_WEBHOOK_URL": receiver.baseURL + "/services/T0/B0/s3cr3t", "GCE_METADATA_HOST": "127.0.0.1:\(metadata.port)",
        ])
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil {
            (try? await http.send(HTTPRequest(url: base + "/readyz", timeout: .seconds(2))))?.status == 200
        }
        _ = try await APIProcessTests.uploadAndQueue(
            ("poster.png", "image/png", try Fixtures.png(width: 64, height: 64)), layers: 2, base: base, http: http)

        try await waitUntil { bodies.texts.withLock { $0.count } >= 3 }
        try await waitUntil {
            try await http.send(HTTPRequest(url: base + "/metrics")).text
                .contains(#"decomposer_cost_alert_deliveries_total{outcome="delivered"} 3"#)
        }
        let texts = bodies.texts.withLock { $0 }
        #expect(texts.count == 3)
        for threshold in ["50%", "80%", "100%"] {
            #expect(texts.filter { $0.contains("(threshold \(threshold))") }.count == 1, "\(texts)")
        }

        process.terminate()
        await process.exited()
        #expect(process.terminationStatus == 0)
        let logged = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        #expect(logged.contains("Cost alerts to \(receiver.baseURL) (slack)"), "\(logged)")
        #expect(!logged.contains("s3cr3t"), "the webhook's path is never logged")
        #expect(bodies.texts.withLock { $0.count } == 3, "nothing was delivered twice")
    }
}
