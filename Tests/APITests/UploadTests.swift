import Foundation
import SystemSupport
import Testing
import TestSupport

@Suite struct UploadTests {
    @Test func aPNGIsStoredUnderItsFileIDWithItsSizeRecognisedByContent() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let png = try Fixtures.png(width: 120, height: 80)
        let response = try await api.upload(png, filename: "../../summer poster.bin", contentType: "application/octet-stream")
        #expect(response.status == 201)
        let json = try response.json()
        #expect(json["filename"] as? String == "summer poster.bin")
        #expect(json["content_type"] as? String == "image/png")
        #expect(json["size_bytes"] as? Int == png.count)
        #expect(json["width"] as? Int == 120)
        #expect(json["height"] as? Int == 80)
        let id = try #require((json["file_id"] as? String).flatMap(UUID.init(uuidString:)))
        let stored = try Data(contentsOf: api.uploads.url(for: id, fileExtension: "png"))
        #expect(Array(stored) == png)
        #expect(try leftovers(api) == ["\(id.lowercasedString).png"])
    }

    @Test func aJPEGNamedPNGIsStoredAsJPEG() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let response = try await api.upload(try Fixtures.jpeg(width: 300, height: 200), filename: "poster.png")
        #expect(response.status == 201)
        let json = try response.json()
        #expect(json["content_type"] as? String == "image/jpeg")
        #expect(json["width"] as? Int == 300)
        let id = try #require((json["file_id"] as? String).flatMap(UUID.init(uuidString:)))
        #expect(FileManager.default.fileExists(atPath: api.uploads.url(for: id, fileExtension: "jpg").path))
    }

    @Test func refusedUploadsGetTheirErrorCodeAndLeaveNothingOnDisk() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let png = try Fixtures.png(width: 64, height: 64)
        let gif = Array("GIF89a".utf8) + [0x10, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 64)
        let bmp = Array("BM".utf8) + [UInt8](repeating: 0, count: 60)
        let cases: [(String, [UInt8], Int, String)] = [
            ("empty", [], 400, "empty_file"),
            ("text named poster.png", Array("this is not an image\n".utf8), 415, "unsupported_image"),
            ("GIF", gif, 415, "unsupported_image"),
            ("BMP", bmp, 415, "unsupported_image"),
            ("truncated header", Array(png.prefix(20)), 415, "unsupported_image"),
            ("truncated PNG", Array(png.prefix(png.count - 30)), 415, "unsupported_image"),
            ("bomb header", Fixtures.pngHeader(width: 100_000, height: 100_000), 413, "image_too_large"),
        ]
        for (name, bytes, status, code) in cases {
            let response = try await api.upload(bytes)
            #expect(response.status == status, "\(name): \(response.text)")
            #expect(response.errorCode == code, "\(name): \(response.text)")
            #expect(response.errorMessage?.isEmpty == false, "\(name)")
        }
        #expect(try leftovers(api) == [])
    }

    @Test func aFormWithoutAFileFieldIsAMissingField() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let response = try await api.upload(try Fixtures.png(width: 8, height: 8), field: "image")
        #expect(response.status == 422)
        #expect(response.errorCode == "missing_field")
        #expect(response.errorMessage?.contains("'file'") == true)
        #expect(try leftovers(api) == [])
    }

    @Test func aBodyThatIsNotAWellFormedMultipartFormIsRefused() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let png = try Fixtures.png(width: 8, height: 8)
        let form = Multipart.form(boundary: "XyZ", parts: [("file", "p.png", "image/png", png)])
        let cases: [(String, [(String, String)], [UInt8], Int, String)] = [
            ("JSON body", [("Content-Type", "application/json")], Array("{}".utf8), 415, "unsupported_media_type"),
            ("no content type", [], form, 415, "unsupported_media_type"),
            ("no boundary", [("Content-Type", "multipart/form-data")], form, 400, "invalid_multipart"),
            ("wrong boundary", [("Content-Type", "multipart/form-data; boundary=Other")], form, 400, "invalid_multipart"),
            ("cut before the closing boundary", [("Content-Type", "multipart/form-data; boundary=XyZ")],
             Array(form.dropLast(12)), 400, "invalid_multipart"),
            ("garbage after a boundary", [("Content-Type", "multipart/form-data; boundary=XyZ")],
             Array("--XyZ garbage".utf8), 400, "invalid_multipart"),
        ]
        for (name, headers, body, status, code) in cases {
            let response = try await api.request("POST", "/api/upload", body: body, headers: headers)
            #expect(response.status == status, "\(name): \(response.text)")
            #expect(response.errorCode == code, "\(name): \(response.text)")
        }
        #expect(try leftovers(api) == [])
        // The same form, whole, is accepted: the cases above differ only in what they break.
        let whole = try await api.request("POST", "/api/upload", body: form,
                                          headers: [("Content-Type", "multipart/form-data; boundary=\"XyZ\"")])
        #expect(whole.status == 201, "\(whole.text)")
    }

    @Test func anUploadOverTheLimitIsRefusedWhileStreaming() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        // A real PNG header followed by 26 MiB: over the 25 MiB default.
        let big = try Fixtures.png(width: 8, height: 8) + [UInt8](repeating: 0x41, count: 26 << 20)
        let response = try await api.upload(big)
        #expect(response.status == 413)
        #expect(response.errorCode == "upload_too_large")
        #expect(try leftovers(api) == [])
    }

    @Test func aChunkedUploadIsRefusedOnceItPassesTheLimitWithNothingLeftOnDisk() async throws {
        let api = try await APIHarness(maxUploadBytes: 1 << 20)
        defer { Task { await api.stop() } }
        let boundary = "chunky"
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n\r\n"
        let chunk = [UInt8](repeating: 0x42, count: 256 << 10)
        // Sends chunks until the server answers, never more than twice the limit, and never ends the
        // body: a 413 is an answer given without reading the body whole (however fast the machine).
        let reply = try await RawHTTP.chunkedUpload(
            port: api.port, path: "/api/upload", contentType: "multipart/form-data; boundary=\(boundary)",
            first: Array(head.utf8) + (try Fixtures.png(width: 8, height: 8)), chunk: chunk, maxChunks: 8)
        #expect(reply.status == 413, "\(reply.text)")
        #expect(reply.text.contains("upload_too_large"))
        #expect(try leftovers(api) == [])
    }

    @Test func expect100ContinueIsAnsweredAtOnceUnlessTheBodyIsTooLarge() async throws {
        let api = try await APIHarness(maxUploadBytes: 1 << 20)
        defer { Task { await api.stop() } }
        let body = Multipart.form(boundary: "E", parts: [("file", "p.png", "image/png", try Fixtures.png(width: 16, height: 16))])
        func head(length: Int) -> String {
            "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=E\r\n"
                + "Content-Length: \(length)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
        }
        let accepted = try await RawHTTP.expectContinue(port: api.port, head: head(length: body.count), body: body)
        #expect(accepted.interim.hasPrefix("HTTP/1.1 100"), "no interim response: \(accepted.interim)")
        #expect(accepted.reply.status == 201, "\(accepted.reply.text)")
        let refused = try await RawHTTP.expectContinue(port: api.port, head: head(length: 2 << 20), body: [])
        #expect(refused.reply.status == 413, "\(refused.interim)")
        #expect(refused.interim.contains("upload_too_large"))
    }

    private func leftovers(_ api: APIHarness) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: api.uploads.directory.path).sorted()
    }
}
