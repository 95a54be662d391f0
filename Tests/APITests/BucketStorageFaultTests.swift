import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The storage endpoint answering 503 and 429 for a while, with real processes: `decomposer api`
/// and `decomposer worker` reach fake-gcs-server only through `FaultInjectingProxy`, which refuses
/// every distinct request twice (503, then 429, with Google's error bodies) before passing it on.
@Suite(.serialized) struct BucketStorageFaultTests {
    @Test func jobsCompleteWithWholeLayersWhenTheBucketAnswers503And429ForAWhile() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let proxy = try FaultInjectingProxy(upstream: setup.gcs.endpoint, faults: [503, 429])
        defer { proxy.stop() }
        // Two faults cost at most 1 + 2 s of backoff: the deadline leaves the client's retries room,
        // so what is tested is Google's retry rules, not the worker's waiting behind them.
        let throughProxy = ["GCS_API_ENDPOINT": proxy.endpoint, "GCS_RETRY_DEADLINE_SECONDS": "60"]
        let (api, worker) = try await setup.launchStack(extra: throughProxy)
        defer { worker.stop(); api.stop() }

        let uploads = [try await setup.upload(to: api), try await setup.upload(to: api)]
        var jobIDs: [String] = []
        for index in 0..<4 { jobIDs.append(try await setup.decompose(uploads[index % 2], on: api, layers: 2)) }
        let jobs = try await setup.waitUntilFinished(jobIDs, on: api, within: .seconds(180))

        for job in jobs {
            #expect(job["status"] as? String == "completed", "\(job)")
            #expect(job["attempts"] as? Int == 1, "storage faults used no attempt: \(job)")
            #expect(job["recoveries"] as? Int == 0, "\(job)")
            let id = try #require(job["job_id"] as? String)
            let names = try await setup.objectNames(prefix: "results/\(id)/")
            #expect(names == ["results/\(id)/1/layer_0.png", "results/\(id)/1/layer_1.png"])
            for (index, name) in names.enumerated() {
                // Straight from the emulator: what went up through the proxy arrived whole.
                #expect(try await setup.object(name) == (try Fixtures.png(width: 40, height: 60, seed: index)), "\(name)")
            }
        }
        #expect(setup.endpoint.requestCount == jobIDs.count, "no endpoint call was repeated because of storage faults")

        // Served by the API through the proxy: what came down through it arrived whole too.
        let first = try #require(jobs.first?["job_id"] as? String)
        for index in 0..<2 {
            let served = try await setup.http.send(HTTPRequest(url: api.base + "/results/\(first)/layer_\(index).png"))
            #expect(served.status == 200)
            #expect(served.body == (try Fixtures.png(width: 40, height: 60, seed: index)), "layer \(index) byte for byte")
        }

        // The faults were real and reached every kind of request: the API's upload and listing, the
        // worker's reading of the upload and its layer writes.
        let faults = proxy.faults
        #expect(faults.filter { $0.status == 503 }.count == faults.filter { $0.status == 429 }.count)
        #expect(faults.count >= 2 * (2 + 2 + 2 * jobIDs.count), "\(faults.count) faults")
        let targets = faults.map { "\($0.method) \($0.target.removingPercentEncoding ?? $0.target)" }
        #expect(targets.contains { $0.hasPrefix("POST /upload/") && $0.contains("name=uploads/") }, "upload writes")
        #expect(targets.contains { $0.hasPrefix("GET ") && $0.contains("prefix=uploads/") }, "upload listings")
        #expect(targets.contains { $0.hasPrefix("GET ") && $0.contains("/o/uploads/") }, "upload reads")
        #expect(targets.contains { $0.hasPrefix("POST /upload/") && $0.contains("name=results/") }, "layer writes")
        #expect(proxy.forwardedCount > 0)
    }
}
