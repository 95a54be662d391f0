import CurlHTTP
import Testing
import TestSupport

/// `HTTPRequest.connectTo` (libcurl's `CURLOPT_CONNECT_TO`): the connection goes to the address
/// given, with no lookup of its own — what webhooks rely on so the address checked is the one used.
@Suite struct CurlHTTPConnectToTests {
    @Test func aPinnedHostIsReachedAtTheGivenAddressWithoutALookup() async throws {
        let server = try TestHTTPServer { request in .respond(status: 200, body: Array((request.headers["host"] ?? "?").utf8)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        // `.invalid` never resolves (RFC 2606): an answer proves the pinned address was used.
        var request = HTTPRequest(url: "http://hooks.invalid:\(server.port)/x", timeout: .seconds(10))
        request.connectTo = ["::127.0.0.1:\(server.port)"]
        let response = try await client.send(request)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hooks.invalid:\(server.port)", "the Host header keeps the name")
        // Pinned to another loopback address the server does not listen on: refused there, whatever
        // the name would resolve to (a client of its own: the first one keeps its connection).
        let other = CurlHTTPClient()
        defer { other.shutdown() }
        var elsewhere = HTTPRequest(url: "http://hooks.invalid:\(server.port)/x", timeout: .seconds(10))
        elsewhere.connectTo = ["::127.0.0.2:\(server.port)"]
        await #expect(throws: HTTPTransportError.self) { try await other.send(elsewhere) }
        #expect(server.requestCount == 1)
    }

    /// `truncatesResponse`: a body over the bound is cut and the status kept.
    @Test func aTruncatedResponseKeepsItsStatus() async throws {
        let server = try TestHTTPServer { _ in .respond(status: 200, body: [UInt8](repeating: 65, count: 200_000)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        var request = HTTPRequest(url: server.baseURL + "/big", timeout: .seconds(10), maxResponseBytes: 1_000)
        await #expect(throws: HTTPTransportError.responseTooLarge(limit: 1_000)) { try await client.send(request) }
        request.truncatesResponse = true
        let response = try await client.send(request)
        #expect(response.status == 200 && response.body.count <= 1_000)
    }
}
