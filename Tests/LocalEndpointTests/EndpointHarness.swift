import CurlHTTP
import Foundation
import GoogleAuth
import LocalEndpoint
import Logging
import ServiceLifecycle
import TestSupport
import VertexClient

/// The local endpoint running in-process on a free loopback port (as
/// `decomposer endpoint` runs it: in a ServiceGroup), and the worker's real
/// client pointed at it.
final class EndpointHarness: Sendable {
    let port: Int
    let http = CurlHTTPClient()
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(_ settings: LocalEndpointSettings = LocalEndpointSettings()) async throws {
        var logger = Logger(label: "endpoint-test")
        logger.logLevel = .warning
        let server = LocalEndpointServer(settings: settings, logger: logger)
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.makeApplication(host: "127.0.0.1", port: 0) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        running = Task { [group] in try await group.run() }
        var iterator = bound.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw TestSupportError("the endpoint did not start") }
        self.port = port
    }

    /// Runs `body` against a fresh endpoint and always stops it afterwards.
    static func with<T: Sendable>(
        _ settings: LocalEndpointSettings = LocalEndpointSettings(), _ body: (EndpointHarness) async throws -> T
    ) async throws -> T {
        let harness = try await EndpointHarness(settings)
        do {
            let value = try await body(harness)
            try await harness.stop()
            return value
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    static func with<T: Sendable>(faults: FaultSettings, _ body: (EndpointHarness) async throws -> T) async throws -> T {
        try await with(LocalEndpointSettings(faults: faults), body)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `VertexPredictionClient` as the worker builds it, with no credentials
    /// (what `CredentialDiscovery` picks for an endpoint on this machine).
    func client(timeout: Duration = .seconds(30)) throws -> VertexPredictionClient {
        let endpoint = try PredictionEndpoint(
            projectID: "local-project", location: "us-central1", endpointID: "1234567890", baseURL: URL(string: baseURL))
        return VertexPredictionClient(
            endpoint: endpoint, auth: NoAuthentication(), http: http, timeout: timeout, maxRequestBytes: 10 << 20)
    }

    /// A raw request, for bodies the client would never send.
    func send(_ method: String, _ path: String, body: [UInt8]? = nil) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(
            method: method, url: baseURL + path, headers: [("Content-Type", "application/json")], body: body))
    }

    /// Graceful shutdown, as on SIGTERM; waits until the server has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        http.shutdown()
    }
}
