import CurlHTTP
import DecomposerCore
import Foundation
import Testing
import TestSupport

/// `POST /api/decompose` with `"source": {"job_id", "layer"}`: a completed job's layer split
/// further. Every refusal names what is wrong; a split records its parent on the job.
@Suite struct SplitLayerAPITests {
    /// A completed job with `layers` layers (written as a worker would) and its id.
    private func completedParent(_ api: APIHarness, layers: Int = 3) async throws -> String {
        let id = try await api.createJob(layers: layers)
        try await api.complete(try await api.claim(), layers: layers)
        return id.lowercasedString
    }

    private func split(_ api: APIHarness, _ jobID: String, layer: Int, extra: String = "", headers: [(String, String)] = [])
        async throws -> HTTPResponse
    {
        try await api.postJSON(
            "/api/decompose", #"{"source":{"job_id":"\#(jobID)","layer":\#(layer)},"num_layers":2\#(extra)}"#, headers: headers)
    }

    @Test func aSplitOfACompletedJobsLayerIsQueuedOnACopyOfThatLayerAndRecordsItsParent() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let parentID = try await completedParent(api)

        let response = try await split(api, parentID, layer: 1)
        #expect(response.status == 202, "\(response.text)")
        let childID = try #require(try response.json()["job_id"] as? String)
        let child = try await api.request("GET", "/api/jobs/\(childID)").json()
        let parent = try #require(child["parent"] as? [String: Any], "\(child)")
        #expect(parent["job_id"] as? String == parentID)
        #expect(parent["layer"] as? Int == 1)
        #expect(Set(parent.keys) == ["job_id", "layer"])
        #expect(child["num_layers"] as? Int == 2 && child["status"] as? String == "queued")
        #expect(try await api.request("GET", "/api/jobs/\(parentID)").json()["parent"] is NSNull)

        // The child's upload is the parent's layer, byte for byte, as a PNG of its own.
        let fileID = try #require((child["file_id"] as? String).flatMap(UUID.init(uuidString:)))
        let upload = try #require(api.uploads.existingFile(for: fileID))
        #expect(upload.pathExtension == "png")
        let layer = try await api.request("GET", "/results/\(parentID)/layer_1.png")
        #expect(layer.status == 200)
        #expect(Array(try Data(contentsOf: upload)) == layer.body)
        let childUUID = try #require(UUID(uuidString: childID))
        let parentUUID = try #require(UUID(uuidString: parentID))
        let stored = try #require(try await api.queue.job(childUUID))
        #expect(stored.parent == JobParent(jobID: parentUUID, layer: 1))

        // Splitting the same layer again reuses that upload; another layer gets another one.
        let againID = try #require(try await split(api, parentID, layer: 1).json()["job_id"] as? String)
        let again = try await api.request("GET", "/api/jobs/\(againID)").json()
        #expect(again["file_id"] as? String == fileID.lowercasedString)
        let otherID = try #require(try await split(api, parentID, layer: 2).json()["job_id"] as? String)
        let other = try await api.request("GET", "/api/jobs/\(otherID)").json()
        #expect(other["file_id"] as? String != fileID.lowercasedString)
    }

    @Test func theIdempotencyFingerprintTellsASplitFromAJobOnItsUpload() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let parentID = try await completedParent(api)
        let key = [("Idempotency-Key", "split-\(UUID().uuidString)")]
        let first = try await split(api, parentID, layer: 0, headers: key)
        #expect(first.status == 202, "\(first.text)")
        let childID = try #require(try first.json()["job_id"] as? String)
        let repeated = try await split(api, parentID, layer: 0, headers: key)
        #expect(repeated.status == 200, "\(repeated.text)")
        #expect(try repeated.json()["job_id"] as? String == childID)

        // The same image named by its upload id is a different request.
        let fileID = try #require(try await api.request("GET", "/api/jobs/\(childID)").json()["file_id"] as? String)
        let byFile = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","num_layers":2}"#, headers: key)
        #expect(byFile.status == 409 && byFile.errorCode == "conflict", "\(byFile.text)")
        let otherLayer = try await split(api, parentID, layer: 1, headers: key)
        #expect(otherLayer.status == 409, "\(otherLayer.text)")
    }

    @Test func anUnknownParentOrALayerItDoesNotHaveIs404() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let unknown = UUID().lowercasedString
        let missing = try await split(api, unknown, layer: 0)
        #expect(missing.status == 404 && missing.errorCode == "job_not_found", "\(missing.text)")
        #expect(missing.errorMessage?.contains(unknown) == true)

        let parentID = try await completedParent(api, layers: 3)
        let outOfRange = try await split(api, parentID, layer: 3)
        #expect(outOfRange.status == 404 && outOfRange.errorCode == "not_found", "\(outOfRange.text)")
        #expect(outOfRange.errorMessage?.contains("no layer 3") == true, "\(outOfRange.text)")
        #expect(outOfRange.errorMessage?.contains("0 to 2") == true, "\(outOfRange.text)")

        // A layer cleaned up since: nothing to copy.
        let layerFolder = api.results.appendingPathComponent(parentID)
        try FileManager.default.removeItem(at: layerFolder)
        let gone = try await split(api, parentID, layer: 0)
        #expect(gone.status == 404 && gone.errorMessage?.contains("no longer stored") == true, "\(gone.text)")
    }

    @Test func aParentThatIsNotCompletedIs409NamingItsStatus() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let queued = try await api.createJob(layers: 2).lowercasedString
        let whileQueued = try await split(api, queued, layer: 0)
        #expect(whileQueued.status == 409 && whileQueued.errorCode == "conflict", "\(whileQueued.text)")
        #expect(whileQueued.errorMessage?.contains("is queued") == true, "\(whileQueued.text)")

        let lease = try await api.claim()
        let whileProcessing = try await split(api, queued, layer: 0)
        #expect(whileProcessing.status == 409, "\(whileProcessing.text)")
        #expect(whileProcessing.errorMessage?.contains("is processing") == true, "\(whileProcessing.text)")

        try await api.queue.fail(lease, error: JobError(code: "test", message: "failed on purpose"))
        let whenFailed = try await split(api, queued, layer: 0)
        #expect(whenFailed.status == 409 && whenFailed.errorMessage?.contains("is failed") == true, "\(whenFailed.text)")
    }

    @Test(arguments: [
        (#""source":5"#, "source must be an object"),
        (#""source":"abc""#, "source must be an object"),
        (#""source":[1,2]"#, "source must be an object"),
        (#""source":{}"#, "source.job_id"),
        (#""source":{"layer":1}"#, "source.job_id"),
        (#""source":{"job_id":"not-a-uuid","layer":1}"#, "source.job_id"),
        (#""source":{"job_id":7,"layer":1}"#, "source.job_id"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11"}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":-1}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":1.5}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":"2"}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":true}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":null}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":1e30}"#, "source.layer"),
        (#""source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":1,"junk":{}}"#, "unknown field 'junk'"),
        (#""file_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","source":{"job_id":"7b4cfc3a-1c8e-4d6e-9a51-0b3f0f1f8a11","layer":1}"#, "either file_id or source"),
        (#""num_layers":3"#, "file_id or source is required"),
        (#""file_id":null,"source":null"#, "file_id or source is required"),
    ])
    func aMalformedSourceOrBothOrNeitherIs422NamingTheFields(body: String, named: String) async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let response = try await api.postJSON("/api/decompose", "{\(body)}")
        #expect(response.status == 422 && response.errorCode == "invalid_field", "\(body) → \(response.status) \(response.text)")
        #expect(response.errorMessage?.contains(named) == true, "\(body) → \(response.text)")
    }
}
