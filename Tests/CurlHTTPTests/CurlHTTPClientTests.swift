import CurlHTTP
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite struct CurlHTTPClientTests {
    @Test func postsABodyAndReadsStatusHeadersAndBody() async throws {
        let server = try TestHTTPServer { request in
            .respond(status: 201, headers: ["X-Echo-Length": "\(request.body.count)", "X-Method": request.method],
                     body: Array("got \(request.headers["content-type"] ?? "?")".utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let body = [UInt8](repeating: 65, count: 2_000_000)
        let response = try await client.send(HTTPRequest(
            method: "POST", url: server.baseURL + "/v1/x:predict",
            headers: [("Content-Type", "application/json")], body: body))
        #expect(response.status == 201)
        #expect(response.headers["x-echo-length"] == "2000000")
        #expect(response.headers["x-method"] == "POST")
        #expect(String(decoding: response.body, as: UTF8.self) == "got application/json")
    }

    @Test func manyRequestsRunAtOnceAndReuseConnections() async throws {
        let server = try TestHTTPServer { _ in .respond(status: 200, body: Array("ok".utf8), delay: .milliseconds(200)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        for _ in 0..<2 {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await client.send(HTTPRequest(url: server.baseURL)).status } }
                for try await status in group { #expect(status == 200) }
            }
        }
        #expect(server.maxConcurrentRequests == 8, "requests are in flight together, not one after another")
        #expect(server.requestCount == 16)
        #expect(server.acceptedConnections == 8, "the second round reuses the first round's connections")
    }

    @Test func theResponseHeadIsReportedOnceWhileTheBodyIsStillToCome() async throws {
        let headReported = DispatchSemaphore(value: 0)
        let bodyWaitedForTheReport = Mutex(false)
        let server = try TestHTTPServer { _ in
            .headThenBody(status: 200, headers: ["X-Kind": "layers"], body: Array("the layers".utf8)) {
                // Without the report the body goes out after 10 s, and this stays false.
                let reported = headReported.wait(timeout: .now() + 10) == .success
                bodyWaitedForTheReport.withLock { $0 = reported }
            }
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let statuses = Mutex<[Int]>([])
        var request = HTTPRequest(url: server.baseURL)
        request.onResponseHead = { status in
            statuses.withLock { $0.append(status) }
            headReported.signal()
        }
        let response = try await client.send(request)
        #expect(response.body == Array("the layers".utf8))
        #expect(response.headers["x-kind"] == "layers")
        #expect(statuses.withLock { $0 } == [200])
        #expect(bodyWaitedForTheReport.withLock { $0 }, "reported as the head arrived, before the body")
    }

    /// A request sent while another is in flight goes out on the other lane (thread).
    @Test func aRequestTakesTheLaneWithFewerRequestsInFlight() async throws {
        let firstArrived = DispatchSemaphore(value: 0)
        let secondArrived = DispatchSemaphore(value: 0)
        let server = try TestHTTPServer { request in
            if request.path == "/first" {
                firstArrived.signal()
                // Still in flight when the second is sent (at most 10 s).
                _ = secondArrived.wait(timeout: .now() + 10)
            } else {
                secondArrived.signal()
            }
            return .respond(status: 200, body: Array(request.path.utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient(lanes: 2)
        defer { client.shutdown() }
        let threads = Mutex<[String: String]>([:])
        func request(_ path: String) -> HTTPRequest {
            var request = HTTPRequest(url: server.baseURL + path)
            request.onResponseHead = { _ in
                let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
                threads.withLock { $0[path] = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            return request
        }
        let firstRequest = request("/first")
        let first = Task { try await client.send(firstRequest) }
        #expect(firstArrived.wait(timeout: .now() + 10) == .success)
        let second = try await client.send(request("/second"))
        #expect(try await first.value.body == Array("/first".utf8))
        #expect(second.body == Array("/second".utf8))
        let names = threads.withLock { $0 }
        #expect(Set(names.values) == ["curl-http-0", "curl-http-1"], "\(names)")
    }

    @Test func aSlowServerHitsTheTimeout() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        await #expect(throws: HTTPTransportError.timedOut(.milliseconds(300))) {
            _ = try await client.send(HTTPRequest(url: server.baseURL, timeout: .milliseconds(300)))
        }
    }

    @Test func aConnectionDroppedMidBodyIsReportedAsSuch() async throws {
        let server = try TestHTTPServer { _ in .dropMidBody(status: 200, body: Array(repeating: 1, count: 10_000), bytes: 100) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        await #expect {
            _ = try await client.send(HTTPRequest(url: server.baseURL))
        } throws: { error in
            if case .connectionDropped = error as? HTTPTransportError { return true }
            return false
        }
    }

    @Test func aRefusedConnectionIsAConnectFailure() async throws {
        let port = try freeLoopbackPort()
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        await #expect {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        } throws: { error in
            if case .connectFailed = error as? HTTPTransportError { return true }
            return false
        }
    }

    @Test func anOversizedResponseIsCutOff() async throws {
        let server = try TestHTTPServer { _ in .respond(status: 200, body: Array(repeating: 7, count: 1_000_000)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        await #expect(throws: HTTPTransportError.responseTooLarge(limit: 64_000)) {
            _ = try await client.send(HTTPRequest(url: server.baseURL, maxResponseBytes: 64_000))
        }
    }

    @Test func cancellingTheTaskAbortsTheTransferPromptly() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let call = Task { try await client.send(HTTPRequest(url: server.baseURL, timeout: .seconds(120))) }
        while server.requestCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        call.cancel()
        await #expect(throws: HTTPTransportError.cancelled(requestSent: true)) { _ = try await call.value }
        // Halfway to the request's own timeout, with room for a loaded machine: a hang guard.
        #expect(ContinuousClock.now - started < .seconds(60), "the GPU request must not keep running")
    }

    /// A transfer cancelled before it started says so: the server cannot have seen it, and the
    /// worker bills no GPU time for it.
    @Test func aTransferCancelledBeforeItStartedSaysTheRequestWasNotSent() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let call = Task {
            while !Task.isCancelled { await Task.yield() }
            return try await client.send(HTTPRequest(url: server.baseURL, timeout: .seconds(60)))
        }
        call.cancel()
        await #expect(throws: HTTPTransportError.cancelled(requestSent: false)) { _ = try await call.value }
        #expect(server.requestCount == 0)
    }

    /// A server that never completes the TCP handshake (its accept queue is full): the connect
    /// timeout is a failure to connect — nothing was sent, so no GPU time is billed for it —,
    /// not the response timeout of a request that went out.
    @Test func aConnectTimeoutIsAFailureToConnect() async throws {
        let listener = try FullListener()
        defer { listener.close() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let request = HTTPRequest(
            url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(30), connectTimeout: .milliseconds(300))
        await #expect(throws: HTTPTransportError.connectFailed("timed out before a connection was made")) {
            _ = try await client.send(request)
        }
    }
}

/// A loopback listener whose accept queue is full and never drained, so a further connection
/// attempt gets no answer to its SYN.
private struct FullListener {
    let port: Int
    private var sockets: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listener >= 0, bound == 0, listen(listener, 0) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        sockets = [listener]
        // Fill the queue: connections the listener never accepts (non-blocking, so none waits).
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            sockets.append(filler)
        }
    }

    func close() { for socket in sockets { Glibc.close(socket) } }
}
