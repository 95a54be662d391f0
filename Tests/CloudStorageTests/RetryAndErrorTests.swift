import CloudStorage
import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization
import Testing
import TestSupport

/// Google's retry rules and error mapping, against an in-test HTTP server that answers what each
/// case needs (the emulator cannot fail on purpose or refuse permission).
@Suite struct RetryAndErrorTests {
    static let forbidden = #"{"error":{"code":403,"message":"svc@p.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object.","errors":[{"message":"denied","domain":"global","reason":"forbidden"}]}}"#

    /// Answers `replies` in order, then the last one again.
    static func scripted(_ replies: [TestHTTPServer.Reply]) throws -> TestHTTPServer {
        let next = Mutex(0)
        return try TestHTTPServer { _ in
            let index = next.withLock { index in
                defer { index += 1 }
                return index
            }
            return replies[min(index, replies.count - 1)]
        }
    }

    @Test func transientStatusesAreRetriedWithGrowingBackoffUntilSuccess() async throws {
        let bytes = patternedBytes(count: 5000)
        let server = try Self.scripted([
            .json(503, #"{"error":{"code":503,"message":"Backend Error"}}"#),
            .json(429, #"{"error":{"code":429,"message":"rate limited"}}"#),
            .respond(status: 200, headers: ["x-goog-hash": "crc32c=\(CRC32C.base64(CRC32C.checksum(bytes))),md5=AAAA"], body: bytes),
        ])
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let sleeper = InstantSleeper()
        let storage = try storageClient(endpoint: server.baseURL, retry: sleeper.policy(), http: http)
        #expect(try await storage.download("object", maxBytes: 1 << 20) == bytes)
        #expect(server.requestCount == 3)
        #expect(sleeper.slept == [.seconds(1), .seconds(2)], "exponential: the ceiling doubles")
    }

    @Test func anUploadMadeIdempotentIsRetriedAndCarriesItsPrecondition() async throws {
        let paths = Mutex<[String]>([])
        let bytes = Array("layer".utf8)
        let attempts = Mutex(0)
        let server = try TestHTTPServer { request in
            paths.withLock { $0.append(request.path) }
            let attempt = attempts.withLock { count in
                count += 1
                return count
            }
            if attempt == 1 { return .json(500, #"{"error":{"code":500,"message":"internal"}}"#) }
            return .json(200, objectJSON(name: "results/j/layer_0.png", size: bytes.count, crc32c: CRC32C.checksum(bytes)))
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.baseURL, retry: InstantSleeper().policy(), http: http)
        let stored = try await storage.upload(
            bytes, as: "results/j/layer_0.png", contentType: "image/png", idempotency: .ifGenerationMatch(0))
        #expect(stored.size == 5)
        #expect(server.requestCount == 2)
        #expect(paths.withLock { $0 }.allSatisfy {
            $0 == "/upload/storage/v1/b/test-bucket/o?uploadType=media&name=results%2Fj%2Flayer_0.png&ifGenerationMatch=0"
        })
    }

    @Test func aRequestThatIsNotIdempotentIsTriedOnce() async throws {
        let server = try Self.scripted([.json(503, #"{"error":{"code":503,"message":"Backend Error"}}"#)])
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let sleeper = InstantSleeper()
        let storage = try storageClient(endpoint: server.baseURL, retry: sleeper.policy(), http: http)
        await #expect {
            _ = try await storage.upload([1, 2, 3], as: "x", contentType: "image/png", idempotency: .notIdempotent)
        } throws: { error in
            guard case .unavailable(let message, let attempts) = error as? CloudStorageError else { return false }
            return attempts == 1 && message.contains("Backend Error") && message.contains("not idempotent")
        }
        #expect(server.requestCount == 1)
        #expect(sleeper.slept.isEmpty)
    }

    @Test func forbiddenIsPermissionDeniedWithCloudStoragesMessageAndNotRetried() async throws {
        let server = try Self.scripted([.json(403, Self.forbidden)])
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.baseURL, retry: InstantSleeper().policy(), http: http)
        await #expect {
            _ = try await storage.metadata("secret.png")
        } throws: { error in
            guard case .permissionDenied(let message) = error as? CloudStorageError else { return false }
            return message.contains("does not have storage.objects.get access") && message.contains("(forbidden)")
        }
        #expect(server.requestCount == 1)
    }

    @Test func otherClientErrorsAreFinalAndNamed() async throws {
        let server = try TestHTTPServer { request in
            request.path.contains("ifGenerationMatch")
                ? .json(412, #"{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold."}}"#)
                : .json(400, #"{"error":{"code":400,"message":"Invalid bucket name"}}"#)
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.baseURL, retry: InstantSleeper().policy(), http: http)
        await #expect {
            _ = try await storage.upload([1], as: "x", contentType: "image/png", idempotency: .ifGenerationMatch(0))
        } throws: { error in
            guard case .preconditionFailed(let message) = error as? CloudStorageError else { return false }
            return message.contains("pre-conditions")
        }
        await #expect(throws: CloudStorageError.rejected(status: 400, message: "listing of x: Invalid bucket name")) {
            _ = try await storage.listPage(prefix: "x")
        }
        #expect(server.requestCount == 2)
    }

    @Test func nothingListeningIsUnavailableAfterBoundedRetries() async throws {
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let sleeper = InstantSleeper()
        let closed = try ClosedLoopbackPort()
        defer { withExtendedLifetime(closed) {} }
        let storage = try storageClient(endpoint: closed.url, retry: sleeper.policy(maxAttempts: 4), http: http)
        do {
            // Refused connections are retried even for a write: nothing reached the server.
            _ = try await storage.upload([1], as: "x", contentType: "image/png", idempotency: .notIdempotent)
            Issue.record("a closed port answered")
        } catch {
            guard case .unavailable(let message, let attempts) = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
            #expect(attempts == 4)
            #expect(message.contains("could not connect"))
        }
        #expect(sleeper.slept == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func theDeadlineEndsRetriesBeforeTheAttemptLimit() async throws {
        let server = try Self.scripted([.json(503, "{}")])
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let sleeper = InstantSleeper()
        let storage = try storageClient(
            endpoint: server.baseURL, retry: sleeper.policy(deadline: .seconds(5), maxAttempts: 100), http: http)
        await #expect {
            _ = try await storage.metadata("x")
        } throws: { error in
            guard case .unavailable(_, let attempts) = error as? CloudStorageError else { return false }
            return attempts == 3
        }
        // 1 s and 2 s fit in 5 s; the next 4 s would end past it.
        #expect(sleeper.slept == [.seconds(1), .seconds(2)])
        #expect(server.requestCount == 3)
    }

    @Test func aWrongChecksumIsAnIntegrityError() async throws {
        let bytes = patternedBytes(count: 4096)
        let wrong = CRC32C.base64(CRC32C.checksum(bytes) ^ 1)
        let server = try TestHTTPServer { request in
            if request.method == "POST" {
                return .json(200, objectJSON(name: "x", size: request.body.count, crc32c: CRC32C.checksum(request.body) ^ 1))
            }
            return .respond(status: 200, headers: ["x-goog-hash": "crc32c=\(wrong),md5=AAAA"], body: bytes)
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.baseURL, retry: InstantSleeper().policy(), http: http)
        let isMismatch: @Sendable (any Error) -> Bool = { error in
            if case .integrityMismatch = error as? CloudStorageError { return true }
            return false
        }
        await #expect {
            _ = try await storage.upload(bytes, as: "x", contentType: "image/png", idempotency: .notIdempotent)
        } throws: { isMismatch($0) }
        await #expect { _ = try await storage.download("x", maxBytes: 1 << 20) } throws: { isMismatch($0) }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("x.png")
        await #expect { try await storage.download("x", toFileAt: target.path) } throws: { isMismatch($0) }
        #expect(!FileManager.default.fileExists(atPath: target.path), "a corrupt download leaves no file")
    }

    @Test func aRejectedTokenIsRefreshedOnceAndAnswersAreNotRetriedForIt() async throws {
        let server = try TestHTTPServer { request in
            request.headers["authorization"] == "Bearer fresh"
                ? .json(200, objectJSON(name: "x", size: 1, crc32c: CRC32C.checksum([7])))
                : .json(401, #"{"error":{"code":401,"message":"Invalid Credentials"}}"#)
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let tokens = CountingTokens()
        let storage = CloudStorageClient(
            configuration: CloudStorageConfiguration(bucket: "b", endpoint: server.baseURL), auth: tokens, http: http,
            retry: InstantSleeper().policy())
        #expect(try await storage.metadata("x").size == 1)
        #expect(tokens.calls == [false, true])
    }

    @Test func objectNamesArePercentEncodedWhole() async throws {
        let paths = Mutex<[String]>([])
        let server = try TestHTTPServer { request in
            paths.withLock { $0.append(request.path) }
            return .json(404, #"{"error":{"code":404,"message":"No such object"}}"#)
        }
        defer { server.stop() }
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        let storage = try storageClient(endpoint: server.baseURL + "/", bucket: "my-bucket", prefix: "env/", retry: InstantSleeper().policy(), http: http)
        #expect(try await storage.delete("a b/c?d#e%f+ü~.png") == false)
        await #expect(throws: CloudStorageError.notFound("metadata of x: No such object")) { _ = try await storage.metadata("x") }
        _ = try? await storage.listPage(prefix: "r/", pageToken: "t/1=", pageSize: 2)
        #expect(paths.withLock { $0 } == [
            "/storage/v1/b/my-bucket/o/env%2Fa%20b%2Fc%3Fd%23e%25f%2B%C3%BC~.png",
            "/storage/v1/b/my-bucket/o/env%2Fx",
            "/storage/v1/b/my-bucket/o?prefix=env%2Fr%2F&maxResults=2&pageToken=t%2F1%3D",
        ])
    }

    /// An endpoint on this machine needs no credentials and none are looked for: a key file that
    /// does not exist is never opened. Elsewhere the chain runs, with the storage scope.
    @Test func aLoopbackEndpointLooksUpNoCredentials() throws {
        let http = CurlHTTPClient()
        defer { http.shutdown() }
        var environment = try environmentWithoutCredentials()
        environment["GOOGLE_APPLICATION_CREDENTIALS"] = "/nonexistent/key.json"
        for endpoint in ["http://127.0.0.1:4443", "http://localhost:9000", "http://[::1]:80"] {
            let auth = try StorageCredentials.provider(
                for: CloudStorageConfiguration(bucket: "b", endpoint: endpoint), environment: environment, http: http)
            #expect(auth is NoAuthentication, "\(endpoint)")
        }
        #expect(throws: AuthError.self) {
            _ = try StorageCredentials.provider(for: CloudStorageConfiguration(bucket: "b"), environment: environment, http: http)
        }
        environment["GOOGLE_APPLICATION_CREDENTIALS"] = nil
        let remote = try StorageCredentials.provider(for: CloudStorageConfiguration(bucket: "b"), environment: environment, http: http)
        #expect(remote.mode.contains("metadata server"))
    }
}

/// Hands out "stale" until asked to refresh, then "fresh"; records each request's `forceRefresh`.
final class CountingTokens: AccessTokenProvider {
    private let requests = Mutex<[Bool]>([])
    var calls: [Bool] { requests.withLock { $0 } }
    var mode: String { "test tokens" }

    func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? {
        requests.withLock { $0.append(forceRefresh) }
        return forceRefresh ? "fresh" : "stale"
    }
}
