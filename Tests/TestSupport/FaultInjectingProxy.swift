import CurlHTTP
import Dispatch
import Foundation
import Synchronization

/// A loopback HTTP proxy in front of a Cloud Storage endpoint (fake-gcs-server) that makes the
/// storage fail "for a while" the way Google's does under load: each distinct request (method and
/// target, query included) is first answered by the proxy itself with the statuses of `faults` in
/// turn — 503 `backendError`, 429 `rateLimitExceeded`, with Google's JSON error body —, and only
/// its next try is forwarded. So every kind of request a flow makes (uploads, listings, downloads,
/// metadata) meets the faults, whatever the order the processes send them in, and a client that
/// does not retry fails.
///
/// Forwarded requests go upstream with their body byte for byte, and the reply comes back with its
/// status, headers and body unchanged (libcurl on both legs: the framing headers are each leg's
/// own). Bodies are held in memory: it is for tests with small objects. `HEAD` is not supported.
public final class FaultInjectingProxy: Sendable {
    /// A request the proxy answered itself.
    public struct Fault: Sendable {
        public let status: Int
        public let method: String
        /// Path and query, as the client sent them.
        public let target: String
    }

    private final class Ledger: Sendable {
        struct State {
            var tries: [String: Int] = [:]
            var faults: [Fault] = []
            var forwarded = 0
        }

        let state = Mutex(State())
    }

    private let server: TestHTTPServer
    private let http: CurlHTTPClient
    private let ledger: Ledger

    /// `faults`: the statuses each distinct request is answered with, in turn, before it is forwarded
    /// (`[]` forwards everything).
    public init(upstream: String, faults: [Int] = [503, 429]) throws {
        let http = CurlHTTPClient(maxConnections: 32)
        let ledger = Ledger()
        server = try TestHTTPServer { request in
            let key = "\(request.method) \(request.path)"
            let fault = ledger.state.withLock { state -> Int? in
                let tries = state.tries[key, default: 0]
                state.tries[key] = tries + 1
                guard tries < faults.count else {
                    state.forwarded += 1
                    return nil
                }
                state.faults.append(Fault(status: faults[tries], method: request.method, target: request.path))
                return faults[tries]
            }
            if let fault { return FaultInjectingProxy.googleError(fault) }
            return FaultInjectingProxy.forward(request, to: upstream, with: http)
        }
        self.http = http
        self.ledger = ledger
    }

    deinit { stop() }

    /// What `GCS_API_ENDPOINT` is set to, instead of the emulator's own address.
    public var endpoint: String { server.baseURL }

    /// Every request answered with a fault so far, in order.
    public var faults: [Fault] { ledger.state.withLock { $0.faults } }

    /// Requests passed on to the upstream endpoint so far.
    public var forwardedCount: Int { ledger.state.withLock { $0.forwarded } }

    /// Idempotent.
    public func stop() {
        server.stop()
        http.shutdown()
    }

    /// Cloud Storage's error body (`{"error": {"code", "message", "errors": [{"reason"}]}}`).
    private static func googleError(_ status: Int) -> TestHTTPServer.Reply {
        let (reason, message) = status == 429
            ? ("rateLimitExceeded", "The project exceeded the rate limit for mutation operations against the specified bucket.")
            : ("backendError", "We encountered an internal error. Please try again.")
        return .json(status, #"{"error":{"code":\#(status),"message":"\#(message)","errors":[{"message":"\#(message)","domain":"global","reason":"\#(reason)"}]}}"#)
    }

    /// Headers each leg sets for itself (framing, connection, encoding: libcurl decodes upstream's
    /// and the reply goes back unencoded).
    private static let ownHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "accept-encoding",
        "content-encoding",
    ]

    /// Runs on the server's connection thread (never the concurrency pool), which waits for the reply.
    private static func forward(_ request: TestHTTPServer.Request, to upstream: String, with http: CurlHTTPClient)
        -> TestHTTPServer.Reply
    {
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method)
        let outgoing = HTTPRequest(
            method: request.method, url: upstream + request.path,
            headers: request.headers.filter { !ownHeaders.contains($0.key) }.map { (name: $0.key, value: $0.value) },
            body: sendsBody ? request.body : nil, timeout: .seconds(120), maxResponseBytes: 1 << 30)
        let outcome = Outcome()
        Task { outcome.finish(try? await http.send(outgoing)) }
        // Upstream out of reach: the client sees a dropped connection, as it would from Google.
        guard let reply = outcome.wait() else { return .close }
        return .respond(status: reply.status, headers: reply.headers.filter { !ownHeaders.contains($0.key) }, body: reply.body)
    }

    /// A forwarded request's reply, handed from its task to the waiting connection thread.
    private final class Outcome: Sendable {
        private let reply = Mutex<HTTPResponse?>(nil)
        private let done = DispatchSemaphore(value: 0)

        /// nil: no reply came (upstream refused or dropped the connection).
        func finish(_ value: HTTPResponse?) {
            reply.withLock { $0 = value }
            done.signal()
        }

        func wait() -> HTTPResponse? {
            done.wait()
            return reply.withLock { $0 }
        }
    }
}
