import CloudStorage
import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The client against fake-gcs-server, a real process speaking Cloud Storage's JSON API.
@Suite struct FakeGCSRoundTripTests {
    @Test func bytesGoUpAndComeBackWithTheirMetadataThenAreDeleted() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        try await server.createBucket("test-bucket")
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.endpoint, prefix: "tenant/", retry: InstantSleeper().policy(), http: http)
        #expect(storage.auth.mode.contains("none"), "an endpoint on this machine gets no credentials")

        // Spaces, slashes, reserved and non-ASCII characters are part of the name.
        let name = "uploads/a b?c#d%e+f ü.png"
        let bytes = patternedBytes(count: 300_001)
        let stored = try await storage.upload(bytes, as: name, contentType: "image/png", idempotency: .overwriteIsIdempotent)
        #expect(stored.name == name, "the client's prefix is taken off")
        #expect(stored.size == 300_001)
        #expect(stored.crc32c == CRC32C.checksum(bytes))
        #expect(stored.contentType == "image/png")
        #expect(stored.generation > 0)

        #expect(try await storage.download(name, maxBytes: 1 << 20) == bytes)
        let metadata = try await storage.metadata(name)
        #expect(metadata.size == stored.size && metadata.crc32c == stored.crc32c && metadata.generation == stored.generation)
        #expect(metadata.md5Hash != nil)

        // The object lives under the prefix: a client without it sees the full name.
        let unprefixed = try storageClient(endpoint: server.endpoint, retry: InstantSleeper().policy(), http: http)
        #expect(try await unprefixed.metadata("tenant/" + name).size == 300_001)

        await #expect(throws: CloudStorageError.objectTooLarge(limit: 1000)) {
            _ = try await storage.download(name, maxBytes: 1000)
        }
        #expect(try await storage.delete(name))
        #expect(try await storage.delete(name) == false, "deleting again is not an error")
        await #expect {
            _ = try await storage.download(name, maxBytes: 1 << 20)
        } throws: { error in
            if case .notFound = error as? CloudStorageError { return true }
            return false
        }
        await #expect {
            _ = try await storage.metadata(name)
        } throws: { error in
            if case .notFound = error as? CloudStorageError { return true }
            return false
        }
    }

    @Test func aMultiMegabyteFileIsStreamedUpAndDownByteForByte() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        try await server.createBucket("test-bucket")
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.endpoint, retry: InstantSleeper().policy(), http: http)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = patternedBytes(count: 6_000_003, seed: 5)
        let source = folder.appendingPathComponent("poster.png")
        try Data(bytes).write(to: source)

        let stored = try await storage.upload(
            fileAt: source.path, as: "results/job/layer_0.png", contentType: "image/png", idempotency: .ifGenerationMatch(0))
        #expect(stored.size == 6_000_003)
        #expect(stored.crc32c == CRC32C.checksum(bytes))

        let target = folder.appendingPathComponent("downloaded.png")
        let size = try await storage.download("results/job/layer_0.png", toFileAt: target.path)
        #expect(size == 6_000_003)
        #expect(try Data(contentsOf: target) == Data(bytes))

        // Downloading again over the file replaces it rather than appending.
        try await storage.download("results/job/layer_0.png", toFileAt: target.path)
        #expect(try Data(contentsOf: target).count == 6_000_003)
    }

    @Test func listingFollowsPagesAndKeepsToThePrefix() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        try await server.createBucket("test-bucket")
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.endpoint, prefix: "p/", retry: InstantSleeper().policy(), http: http)
        let names = (0..<5).map { "results/job-1/layer_\($0).png" }
        for (index, name) in names.enumerated() {
            _ = try await storage.upload(
                patternedBytes(count: 100 + index), as: name, contentType: "image/png", idempotency: .overwriteIsIdempotent)
        }
        _ = try await storage.upload([1, 2, 3], as: "results/job-2/layer_0.png", contentType: "image/png", idempotency: .notIdempotent)

        var pages: [[String]] = []
        var token: String?
        repeat {
            let page = try await storage.listPage(prefix: "results/job-1/", pageToken: token, pageSize: 2)
            pages.append(page.objects.map(\.name))
            token = page.nextPageToken
        } while token != nil && pages.count < 10
        #expect(pages.count == 3)
        #expect(pages.flatMap { $0 } == names)

        let all = try await storage.list(prefix: "results/job-1/", pageSize: 2)
        #expect(all.map(\.name) == names)
        #expect(all.map(\.size) == [100, 101, 102, 103, 104])
        #expect(try await storage.list(prefix: "results/").count == 6)
        #expect(try await storage.list(prefix: "uploads/").isEmpty)
    }

    @Test func aMissingBucketIsNotFound() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.endpoint, bucket: "no-such-bucket", retry: InstantSleeper().policy(), http: http)
        await #expect {
            _ = try await storage.download("x", maxBytes: 100)
        } throws: { error in
            if case .notFound = error as? CloudStorageError { return true }
            return false
        }
    }

    /// Down: the unavailable error after bounded retries. Started again on the same folder: the
    /// objects are still there and the same client works again.
    @Test func theServerStoppedAndStartedAgainKeepsItsObjects() async throws {
        let server = try await FakeGCSServer.start()
        defer { server.stop() }
        try await server.createBucket("test-bucket")
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let sleeper = InstantSleeper()
        let storage = try storageClient(endpoint: server.endpoint, retry: sleeper.policy(maxAttempts: 3), http: http)
        let bytes = patternedBytes(count: 70_000)
        _ = try await storage.upload(bytes, as: "uploads/kept.png", contentType: "image/png", idempotency: .ifGenerationMatch(0))

        server.stop()
        await #expect(throws: CloudStorageError.self) { _ = try await storage.download("uploads/kept.png", maxBytes: 1 << 20) }
        do {
            _ = try await storage.metadata("uploads/kept.png")
            Issue.record("a stopped server answered")
        } catch {
            #expect(error.isUnavailable, "\(error)")
            guard case .unavailable(_, let attempts) = error else { return }
            #expect(attempts == 3)
        }

        try await server.restart()
        #expect(try await storage.download("uploads/kept.png", maxBytes: 1 << 20) == bytes)
        _ = try await storage.upload([9], as: "uploads/after.png", contentType: "image/png", idempotency: .notIdempotent)
        #expect(try await storage.list(prefix: "uploads/").map(\.name) == ["uploads/after.png", "uploads/kept.png"])
    }
}
