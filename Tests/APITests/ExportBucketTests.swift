import CurlHTTP
import Foundation
import Testing
import TestSupport

/// Exports with `STORAGE_BACKEND=gcs` (real `decomposer api` and `worker` processes, fake-gcs-server):
/// built from layers downloaded into the API's scratch, stored as an object beside the layers,
/// served from it afterwards, and removed by `decomposer cleanup` with the job's results.
@Suite(.serialized) struct ExportBucketTests {
    @Test func anExportIsStoredBesideTheLayersServedFromTheBucketAndCleanedUpWithThem() async throws {
        let setup = try await BucketSetup.start()
        defer { setup.stop() }
        let (api, worker) = try await setup.launchStack()
        defer { worker.stop(); api.stop() }
        let jobID = try await setup.decompose(try await setup.upload(to: api), on: api, layers: 2)
        let job = try await setup.waitUntilFinished([jobID], on: api, within: .seconds(60))[0]
        #expect(job["status"] as? String == "completed", "\(job)")

        let url = api.base + "/api/jobs/\(jobID)/export?format=zip"
        let first = try await setup.http.send(HTTPRequest(url: url))
        #expect(first.status == 200, "\(first.text)")
        #expect(first.headers["content-disposition"] == "attachment; filename=\"\(jobID).zip\"")
        let object = "results/\(jobID)/1/export.zip"
        #expect(try await setup.objectNames(prefix: "results/\(jobID)/").contains(object))
        #expect(try await setup.object(object) == first.body, "served byte for byte from the stored object")
        let generation = try await self.generation(object, setup)
        let extracted = try await unzip(first.body)
        for index in 0..<2 {
            let layer = try await setup.object("results/\(jobID)/1/layer_\(index).png")
            #expect(Array(try Data(contentsOf: extracted.appendingPathComponent("layer_\(index).png"))) == layer)
        }

        let second = try await setup.http.send(HTTPRequest(url: url))
        #expect(second.status == 200)
        #expect(second.body == first.body)
        #expect(second.headers["etag"] == first.headers["etag"])
        #expect(try await self.generation(object, setup) == generation, "stored once, not uploaded again")
        let tag = try #require(first.headers["etag"])
        #expect(try await setup.http.send(HTTPRequest(url: url, headers: [("If-None-Match", tag)])).status == 304)
        let scratch = api.folder.appendingPathComponent("tmp/decomposer-storage/exports").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty, "no downloaded layer left")
        #expect(!FileManager.default.fileExists(atPath: api.folder.appendingPathComponent("results").path))

        let cleanup = try setup.launch(["cleanup", "--older-than", "0s"], folder: "cleanup")
        await cleanup.process.exited()
        #expect(cleanup.process.terminationStatus == 0)
        #expect(try await setup.objectNames(prefix: "results/\(jobID)/").isEmpty, "the export goes with the job's layers")
    }

    private func generation(_ name: String, _ setup: BucketSetup) async throws -> String? {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        let reply = try await setup.http.send(HTTPRequest(url: "\(setup.gcs.endpoint)/storage/v1/b/\(setup.bucket)/o/\(encoded)"))
        let value = try reply.json()["generation"]
        return value.map { "\($0)" }
    }
}
