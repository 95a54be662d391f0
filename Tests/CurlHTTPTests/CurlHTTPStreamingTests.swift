import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

/// Request bodies read from a file and response bodies written to one, so a large object never
/// sits in memory whole.
@Suite struct CurlHTTPStreamingTests {
    @Test func aBodyFileIsSentByteForByteWithItsLength() async throws {
        let received = Mutex<[UInt8]>([])
        let server = try TestHTTPServer { request in
            received.withLock { $0 = request.body }
            return .respond(status: 200, headers: ["X-Length": request.headers["content-length"] ?? "none",
                                                   "X-Encoding": request.headers["transfer-encoding"] ?? "none"])
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let bytes = patternedBytes(count: 3_000_017)
        let file = try TemporaryFile(bytes)
        defer { file.remove() }

        let response = try await client.send(HTTPRequest(
            method: "POST", url: server.baseURL + "/upload", headers: [("Content-Type", "image/png")],
            bodyFile: HTTPBodyFile(descriptor: file.descriptor, length: Int64(bytes.count))))
        #expect(response.status == 200)
        #expect(response.headers["x-length"] == "3000017")
        #expect(response.headers["x-encoding"] == "none", "a known length goes as Content-Length, not chunked")
        #expect(received.withLock { $0 } == bytes)

        // A slice of the file, with another method, and the same descriptor sent again.
        let slice = try await client.send(HTTPRequest(
            method: "PUT", url: server.baseURL + "/slice",
            bodyFile: HTTPBodyFile(descriptor: file.descriptor, offset: 1000, length: 5000)))
        #expect(slice.status == 200)
        #expect(received.withLock { $0 } == Array(bytes[1000..<6000]))
    }

    @Test func aBodyFileShorterThanAnnouncedFailsTheTransfer() async throws {
        let server = try TestHTTPServer { _ in .respond(status: 200) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let file = try TemporaryFile(Array(repeating: 1, count: 100))
        defer { file.remove() }
        await #expect {
            _ = try await client.send(HTTPRequest(
                method: "POST", url: server.baseURL, bodyFile: HTTPBodyFile(descriptor: file.descriptor, length: 500)))
        } throws: { error in
            guard case .other(let why) = error as? HTTPTransportError else { return false }
            return why.contains("ended 400 bytes early")
        }
    }

    @Test func aSuccessfulBodyGoesToTheSinkAndAnErrorBodyStaysInMemory() async throws {
        let bytes = patternedBytes(count: 4_000_000)
        let server = try TestHTTPServer { request in
            request.path == "/missing"
                ? .json(404, #"{"error":"no such thing"}"#)
                : .respond(status: 200, body: bytes)
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let file = try TemporaryFile([])
        defer { file.remove() }

        let response = try await client.send(HTTPRequest(
            url: server.baseURL + "/object", responseSink: .file(descriptor: file.descriptor, path: file.path)))
        #expect(response.status == 200)
        #expect(response.body.isEmpty, "the body went to the file, not into memory")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == Data(bytes))

        let missing = try await client.send(HTTPRequest(
            url: server.baseURL + "/missing", responseSink: .file(descriptor: file.descriptor, path: file.path)))
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == #"{"error":"no such thing"}"#)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)).count == bytes.count, "nothing appended")
    }

    @Test func aSinkThatThrowsAbortsTheTransferAndTheLimitStillHolds() async throws {
        let server = try TestHTTPServer { _ in .respond(status: 200, body: Array(repeating: 9, count: 1_000_000)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        await #expect {
            _ = try await client.send(HTTPRequest(url: server.baseURL, responseSink: HTTPResponseSink { _ in throw DiskFull() }))
        } throws: { error in
            guard case .other(let why) = error as? HTTPTransportError else { return false }
            return why.contains("disk full")
        }
        let chunks = Mutex(0)
        await #expect(throws: HTTPTransportError.responseTooLarge(limit: 10_000)) {
            _ = try await client.send(HTTPRequest(
                url: server.baseURL, maxResponseBytes: 10_000,
                responseSink: HTTPResponseSink { chunk in chunks.withLock { $0 += chunk.count } }))
        }
        #expect(chunks.withLock { $0 } <= 10_000)
    }
}

/// Bytes that differ from position to position, so a shifted or repeated chunk shows.
func patternedBytes(count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
}

/// A file in the temporary folder, open for reading and writing.
struct TemporaryFile {
    let path: String
    let descriptor: Int32

    init(_ bytes: [UInt8]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("curl-test-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw TestSupportError("cannot create \(path)")
        }
        descriptor = open(path, O_RDWR)
        guard descriptor >= 0 else { throw TestSupportError("cannot open \(path)") }
    }

    func remove() {
        close(descriptor)
        unlink(path)
    }
}
