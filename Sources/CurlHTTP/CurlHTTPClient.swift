import CCurl
import Foundation

/// An HTTP client over libcurl's multi interface, driven by threads of its own (`CurlLane`s, never
/// the Swift concurrency pool): many requests in flight at once, connections reused between them.
/// Cancelling the awaiting task aborts its transfer within a poll interval.
///
/// One lane is one thread: it sends requests and receives replies in turn. Where many large replies
/// arrive at once (a worker's calls answering together, megabytes each), a request sent meanwhile
/// waits behind them on that thread, and its call starts late. More lanes let it go out on another
/// thread; each request takes the lane with the fewest requests in flight.
public final class CurlHTTPClient: Sendable {
    private let lanes: [CurlLane]

    /// - Parameters:
    ///   - maxConnections: connections kept open for reuse, per lane.
    ///   - lanes: threads, each with its multi handle and its connections.
    public init(maxConnections: Int = 32, lanes: Int = 1) {
        self.lanes = (0..<max(lanes, 1)).map { index in
            CurlLane(maxConnections: maxConnections, name: lanes > 1 ? "curl-http-\(index)" : "curl-http")
        }
    }

    /// Performs the request. Throws `HTTPTransportError` (`.cancelled` when the task was cancelled).
    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        var chosen = lanes[0]
        for lane in lanes.dropFirst() where lane.requestsInFlight < chosen.requestsInFlight { chosen = lane }
        return try await chosen.send(request)
    }

    /// Aborts every transfer and stops the threads.
    public func shutdown() {
        for lane in lanes { lane.shutdown() }
    }
}

/// `curl_global_init` must run once, before any other thread uses libcurl.
public enum CurlGlobal {
    private static let once: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()
    public static func initialize() { _ = once }
}
