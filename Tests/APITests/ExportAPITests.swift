import CurlHTTP
import Foundation
import Storage
import SystemSupport
import Testing
import TestSupport

/// `GET /api/jobs/{id}/export` on disk: statuses, the stored file, and the ZIP and PPTX contents
/// read back with Info-ZIP's `unzip` (an independent reader).
@Suite struct ExportAPITests {
    @Test func refusalsNameTheProblem() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let unknown = try await api.request("GET", "/api/jobs/\(UUID().uuidString)/export?format=zip")
        #expect(unknown.status == 404)
        #expect(try errorCode(unknown) == "job_not_found")

        let id = try await api.createJob(layers: 2)
        let queued = try await api.request("GET", "/api/jobs/\(id.uuidString)/export?format=zip")
        #expect(queued.status == 409)
        #expect(try errorMessage(queued).contains("queued"), "names the status: \(queued.text)")

        for query in ["", "?format=gif", "?format=ZIP", "?other=zip"] {
            let bad = try await api.request("GET", "/api/jobs/\(id.uuidString)/export\(query)")
            #expect(bad.status == 400, "\(query)")
            #expect(try errorCode(bad) == "invalid_format")
            #expect(try errorMessage(bad).contains("psd, pptx, zip"), "names the allowed values: \(bad.text)")
        }
        try await api.complete(try await api.claim(), layers: 2)
        let psd = try await api.request("GET", "/api/jobs/\(id.uuidString)/export?format=psd")
        #expect(psd.status == 200, "\(psd.status) \(psd.text)")
        #expect(psd.headers["content-type"] == "image/vnd.adobe.photoshop")
        #expect(Array(psd.body.prefix(6)) == Array("8BPS".utf8) + [0, 1], "a PSD, version 1")
        let layerRoute = try await api.request("GET", "/results/\(id.lowercasedString)/export.zip")
        #expect(layerRoute.status == 404, "the layer route serves only listed layers")
    }

    @Test func theZIPHoldsTheLayersByteForByteAndAManifestThatChecksThem() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 3)
        try await api.complete(try await api.claim(), layers: 3)
        let path = "/api/jobs/\(id.uuidString)/export?format=zip"

        let first = try await api.request("GET", path)
        #expect(first.status == 200, "\(first.text)")
        #expect(first.headers["content-type"] == "application/zip")
        #expect(first.headers["content-disposition"] == "attachment; filename=\"\(id.lowercasedString).zip\"")
        #expect(first.headers["cache-control"] == "public, max-age=31536000, immutable")
        let etag = try #require(first.headers["etag"])
        #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))

        // Stored once, beside the layers: a second request serves the same file (same inode).
        let folder = api.results.appendingPathComponent(id.lowercasedString).appendingPathComponent("1")
        let stored = folder.appendingPathComponent("export.zip").path
        let inode = try inodeNumber(stored)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: stored))) == first.body)
        let second = try await api.request("GET", path)
        #expect(second.status == 200)
        #expect(second.body == first.body)
        #expect(second.headers["etag"] == etag)
        #expect(try inodeNumber(stored) == inode, "served from storage, not built again")
        let notModified = try await api.request("GET", path, headers: [("If-None-Match", etag)])
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }.isEmpty,
                "no temporary file left")

        let extracted = try await unzip(first.body)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: extracted.path))
            == ["layer_0.png", "layer_1.png", "layer_2.png", "manifest.json"])
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: extracted.appendingPathComponent("manifest.json"))) as? [String: Any])
        #expect(manifest["job_id"] as? String == id.lowercasedString)
        #expect(manifest["layer_order"] as? [String] == ["layer_0.png", "layer_1.png", "layer_2.png"])
        let entries = try #require(manifest["layers"] as? [[String: Any]])
        for index in 0..<3 {
            let name = "layer_\(index).png"
            let original = try Data(contentsOf: folder.appendingPathComponent(name))
            let copy = try Data(contentsOf: extracted.appendingPathComponent(name))
            #expect(copy == original, "\(name) byte for byte")
            #expect(entries[index]["file"] as? String == name)
            #expect(entries[index]["size_bytes"] as? Int == original.count)
            #expect(entries[index]["width"] as? Int == 32)
            #expect(entries[index]["height"] as? Int == 24)
            #expect(entries[index]["sha256"] as? String == (try await sha256(folder.appendingPathComponent(name).path)))
        }
    }

    @Test func thePPTXIsOnePosterSizedSlideWithTheLayersStackedInOrder() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 3)
        try await api.complete(try await api.claim(), layers: 3)
        let reply = try await api.request("GET", "/api/jobs/\(id.uuidString)/export?format=pptx")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.headers["content-type"] == "application/vnd.openxmlformats-officedocument.presentationml.presentation")
        #expect(reply.headers["content-disposition"] == "attachment; filename=\"\(id.lowercasedString).pptx\"")

        let extracted = try await unzip(reply.body)
        let folder = api.results.appendingPathComponent(id.lowercasedString).appendingPathComponent("1")
        for index in 0..<3 {
            let media = try Data(contentsOf: extracted.appendingPathComponent("ppt/media/layer_\(index).png"))
            #expect(media == (try Data(contentsOf: folder.appendingPathComponent("layer_\(index).png"))))
        }
        let presentation = try String(contentsOf: extracted.appendingPathComponent("ppt/presentation.xml"), encoding: .utf8)
        // 32 × 24 px at 96 dpi is below PowerPoint's one-inch minimum: scaled up uniformly, 4:3 kept.
        #expect(presentation.contains(#"<p:sldSz cx="1219200" cy="914400"/>"#), "\(presentation)")
        let slide = try String(contentsOf: extracted.appendingPathComponent("ppt/slides/slide1.xml"), encoding: .utf8)
        let embeds = slide.components(separatedBy: #"r:embed=""#).dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(embeds == ["rId2", "rId3", "rId4"], "one picture per layer, layer 0 first (at the back)")
        #expect(slide.components(separatedBy: #"<a:ext cx="1219200" cy="914400"/>"#).count == 4, "each full-slide")
        let relationships = try String(
            contentsOf: extracted.appendingPathComponent("ppt/slides/_rels/slide1.xml.rels"), encoding: .utf8)
        #expect(relationships.contains(#"Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../media/layer_0.png""#))
    }

    @Test func cleanupRemovesTheExportWithTheJobsResults() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        try await api.complete(try await api.claim(), layers: 2)
        #expect(try await api.request("GET", "/api/jobs/\(id.uuidString)/export?format=zip").status == 200)
        let storage = FilesystemStorage(uploadsDirectory: api.uploads.directory, resultsDirectory: api.results)
        let entry = try #require(try await storage.storedEntries().first { $0.kind == .result && $0.id == id })
        let export = api.results.appendingPathComponent("\(id.lowercasedString)/1/export.zip").path
        #expect(entry.size > Int64(try FileManager.default.attributesOfItem(atPath: export)[.size] as? Int ?? 0))
        try await storage.remove(entry)
        #expect(!FileManager.default.fileExists(atPath: export))
    }

    private func errorCode(_ response: HTTPResponse) throws -> String? {
        (try response.json()["error"] as? [String: Any])?["code"] as? String
    }

    private func errorMessage(_ response: HTTPResponse) throws -> String {
        (try response.json()["error"] as? [String: Any])?["message"] as? String ?? ""
    }
}

func inodeNumber(_ path: String) throws -> UInt64 {
    try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber).uint64Value
}

/// `unzip -t` must pass; the archive is then extracted into a temporary folder.
func unzip(_ bytes: [UInt8]) async throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let archive = folder.appendingPathComponent("export.zip")
    try Data(bytes).write(to: archive)
    let unzip = URL(fileURLWithPath: "/usr/bin/unzip")
    let test = try await runCapturingOutput(unzip, ["-t", archive.path])
    #expect(test.status == 0, "unzip -t: \(test.standardOutput) \(test.standardError)")
    let contents = folder.appendingPathComponent("contents")
    let extract = try await runCapturingOutput(unzip, ["-q", archive.path, "-d", contents.path])
    #expect(extract.status == 0, "\(extract.standardError)")
    return contents
}

func sha256(_ path: String) async throws -> String {
    let result = try await runCapturingOutput(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path])
    return String(result.standardOutput.prefix(64))
}
