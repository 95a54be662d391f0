import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The result cache with `STORAGE_BACKEND=gcs` and real processes (the filesystem backend is
/// covered in WorkerTests): hits are server-side copies in the bucket, and the API reports them.
@Suite struct ResultCacheProcessTests {
    @Test func aRepeatedPosterIsServedFromTheBucketsCopiesAndTheCostsSaySo() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let cacheOn = ["CACHE_TTL_DAYS": "7"]
        let (api, worker) = try await setup.launchStack(extra: cacheOn)
        defer { worker.stop(); api.stop() }

        // The same poster uploaded twice: two file ids, one prepared image, one digest.
        let firstID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let first = try await setup.waitUntilFinished([firstID], on: api, within: .seconds(60))[0]
        let secondID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let second = try await setup.waitUntilFinished([secondID], on: api, within: .seconds(60))[0]
        #expect(first["status"] as? String == "completed" && first["cached"] as? Bool == false, "\(first)")
        #expect(second["status"] as? String == "completed" && second["cached"] as? Bool == true, "\(second)")
        #expect(second["attempts"] as? Int == 0 && second["cost_usd"] as? Double == 0)
        #expect(setup.endpoint.requestCount == 1, "one endpoint call for the two jobs")
        #expect(try await setup.objectNames(prefix: "results/\(secondID)/") == ["results/\(secondID)/1/layer_0.png", "results/\(secondID)/1/layer_1.png"])
        for index in 0..<2 {
            let original = try await setup.object("results/\(firstID)/1/layer_\(index).png")
            #expect(try await setup.object("results/\(secondID)/1/layer_\(index).png") == original, "a copy of the original")
            let served = try await setup.http.send(HTTPRequest(url: api.base + "/results/\(secondID)/layer_\(index).png"))
            #expect(served.status == 200 && served.body == original)
        }

        let costs = try await setup.http.send(HTTPRequest(url: api.base + "/api/costs?days=1")).json()
        let today = try #require((costs["days"] as? [[String: Any]])?.last)
        #expect(today["cache_hits"] as? Int == 1, "\(costs)")
        let firstCost = try #require(first["cost_usd"] as? Double)
        #expect(firstCost > 0 && today["cache_avoided_usd"] as? Double == firstCost, "avoided at the original call's cost: \(costs)")
        #expect(costs["total_cache_hits"] as? Int == 1)

        // The original's objects are cleaned up: the next twin is a miss, calls, and repairs the entry.
        for name in try await setup.objectNames(prefix: "results/\(firstID)/") {
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
            _ = try await setup.http.send(HTTPRequest(method: "DELETE", url: "\(setup.gcs.endpoint)/storage/v1/b/\(setup.bucket)/o/\(encoded)"))
        }
        let thirdID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let third = try await setup.waitUntilFinished([thirdID], on: api, within: .seconds(60))[0]
        #expect(third["status"] as? String == "completed" && third["cached"] as? Bool == false, "\(third)")
        #expect(setup.endpoint.requestCount == 2)

        // Opting out is a call too.
        let reply = try await setup.http.send(HTTPRequest(
            method: "POST", url: api.base + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"file_id":"\#(try await setup.upload(to: api))","num_layers":2,"resolution":640,"cache":false}"#.utf8)))
        #expect(reply.status == 202, "\(reply.text)")
        let freshID = try #require(try reply.json()["job_id"] as? String)
        let fresh = try await setup.waitUntilFinished([freshID], on: api, within: .seconds(60))[0]
        #expect(fresh["cached"] as? Bool == false)
        #expect(setup.endpoint.requestCount == 3)
    }
}
