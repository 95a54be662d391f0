import CurlHTTP
import Foundation
import GoogleAuth
import ImageCodec
import LocalEndpoint
import SystemSupport
import Testing
import TestSupport
import VertexClient

/// `--request-log`: one JSON line per `:predict` request, however it ended —
/// what the chaos suites count and time the endpoint's traffic from.
@Suite struct RequestLogTests {
    let request = PredictionRequest(image: (try? ImageEncoder.png(SyntheticPoster.twoColours())) ?? [], layers: 3, resolution: 640)

    /// A fresh log file in a folder of its own; `lines` reads it back as JSON objects.
    struct LogFile {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("request-log-\(UUID().uuidString)")
        var path: String { folder.appendingPathComponent("requests.jsonl").path }

        init() throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }

        func lines() throws -> [[String: Any]] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    @Test func everyRequestIsLoggedWithTheOutcomeItsDrawGave() async throws {
        let file = try LogFile()
        defer { file.remove() }
        let faults = try FaultSettings(
            rateLimitProbability: 0.3, unavailableProbability: 0.2, malformedProbability: 0.1, wrongLayersProbability: 0.1,
            seed: 11)
        let log = try RequestLog(path: file.path)
        let before = Date().millisecondsSince1970
        try await EndpointHarness.with(LocalEndpointSettings(faults: faults, requestLog: log)) { endpoint in
            for _ in 0..<16 { _ = try? await endpoint.client().predict(request) }
        }
        await log.close()
        let after = Date().millisecondsSince1970

        let lines = try file.lines()
        let expected = FaultPlan(faults).drawing(16).map { $0.fault?.rawValue ?? "ok" }
        #expect(lines.map { $0["outcome"] as? String } == expected)
        #expect(Set(expected).count >= 4, "the seed gives a mix of outcomes: \(expected)")
        let statuses: [String: Int] = ["ok": 200, "rate-limited": 429, "unavailable": 503, "malformed-body": 200, "wrong-layer-count": 200]
        #expect(lines.map { $0["status"] as? Int } == expected.map { statuses[$0] })
        let arrivals = lines.compactMap { ($0["arrived_ms"] as? NSNumber)?.int64Value }
        #expect(arrivals.count == 16 && arrivals == arrivals.sorted())
        #expect(arrivals.allSatisfy { (before...after).contains($0) }, "wall-clock milliseconds: \(arrivals) not in \(before)...\(after)")
        #expect(lines.allSatisfy { (($0["duration_ms"] as? Int) ?? -1) >= 0 })
    }

    @Test func aHangIsCountedEvenAfterItsClientGaveUp() async throws {
        let file = try LogFile()
        defer { file.remove() }
        let log = try RequestLog(path: file.path)
        let faults = try FaultSettings(hangProbability: 1, hangDuration: .seconds(3600))
        var gaveUp: Int64 = 0
        try await EndpointHarness.with(LocalEndpointSettings(faults: faults, requestLog: log)) { endpoint in
            let error = try await EndpointHTTPTests.vertexError { try await endpoint.client(timeout: .seconds(1)).predict(request) }
            gaveUp = Date().millisecondsSince1970
            #expect(error.code == .gpuTimeout)
            #expect(try file.lines().isEmpty, "recorded when the hang ends, not when the client leaves")
            try await Task.sleep(for: .milliseconds(500))
        }
        // Graceful shutdown ended the hang; its request is in the log although nobody waited for the answer.
        await log.close()
        let lines = try file.lines()
        #expect(lines.count == 1)
        #expect(lines.first?["outcome"] as? String == "hang" && lines.first?["status"] as? Int == 503)
        // It ended (at shutdown, half a second later) after the client had given up: compared
        // as instants, not as a duration, which depends on when the request arrived.
        let arrived = Int64((lines.first?["arrived_ms"] as? Int) ?? 0)
        let ended = arrived + Int64((lines.first?["duration_ms"] as? Int) ?? 0)
        #expect(ended >= gaveUp, "it outlasted the client: ended \(ended), the client gave up at \(gaveUp)")
    }

    @Test func refusedRequestsAreErrorsWhetherOrNotTheyGotAsFarAsADraw() async throws {
        let file = try LogFile()
        defer { file.remove() }
        let log = try RequestLog(path: file.path)
        let statuses = try await EndpointHarness.with(LocalEndpointSettings(maxRequestBytes: 4096, requestLog: log)) { endpoint in
            let path = "/v1/projects/p/locations/l/endpoints/e:predict"
            let empty = try await endpoint.send("POST", path, body: Array(#"{"instances":[]}"#.utf8))
            let oversized = try await endpoint.send("POST", path, body: [UInt8](repeating: 0x20, count: 10_000))
            return [empty.status, oversized.status]
        }
        await log.close()
        #expect(statuses == [400, 400])
        let lines = try file.lines()
        #expect(lines.map { $0["outcome"] as? String } == ["error", "error"])
        #expect(lines.map { $0["status"] as? Int } == [400, 400])
    }

    @Test func theCommandAppendsEveryRequestBeforeItExits() async throws {
        let file = try LogFile()
        defer { file.remove() }
        try Data(Array(#"{"earlier":"line"}"#.utf8) + [0x0A]).write(to: URL(fileURLWithPath: file.path))
        let endpoint = try EndpointProcess(
            arguments: ["--port", "0", "--host", "127.0.0.1", "--rate-limit-probability", "1"],
            environment: [RequestLog.environmentKey: file.path])
        let url = try await endpoint.advertisedURL()
        #expect(endpoint.standardError.contains("requests logged to \(file.path)"))
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let client = VertexPredictionClient(
            endpoint: try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e", baseURL: URL(string: url)),
            auth: NoAuthentication(), http: http)
        for _ in 0..<3 { _ = try? await client.predict(request) }
        #expect(try await endpoint.stop(signal: SIGTERM) == 0, "\(endpoint.standardError)")
        let lines = try file.lines()
        #expect(lines.count == 4, "appended to what was there")
        #expect(lines.dropFirst().allSatisfy { $0["outcome"] as? String == "rate-limited" && $0["status"] as? Int == 429 })
    }
}
