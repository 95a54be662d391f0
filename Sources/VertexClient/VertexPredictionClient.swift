import CurlHTTP
import Foundation
import GoogleAuth

/// The worker's only window onto the GPU: one prediction call per `predict`,
/// classified errors, no retries of its own (the queue makes retries durable),
/// except one token refresh after a 401 as Google's libraries do.
public final class VertexPredictionClient: Sendable {
    public let endpoint: PredictionEndpoint
    public let auth: any AccessTokenProvider
    private let http: CurlHTTPClient
    /// Per-attempt bound (`VERTEX_AI_TIMEOUT`).
    public let timeout: Duration
    public let connectTimeout: Duration
    /// `VERTEX_AI_MAX_REQUEST_BYTES`: the serving endpoint's body limit (1.5 MB
    /// for a shared public endpoint, 10 MB for a dedicated one).
    public let maxRequestBytes: Int
    /// A runaway endpoint cannot make the worker buffer more than this.
    public let maxResponseBytes: Int

    public init(
        endpoint: PredictionEndpoint, auth: any AccessTokenProvider, http: CurlHTTPClient,
        timeout: Duration = .seconds(300), connectTimeout: Duration = .seconds(10),
        maxRequestBytes: Int = 1_500_000, maxResponseBytes: Int = 256 << 20
    ) {
        self.endpoint = endpoint
        self.auth = auth
        self.http = http
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxRequestBytes = maxRequestBytes
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends one prediction request and returns the successful answer still
    /// encoded. The body is megabytes of base64 whose decoding is CPU work; a
    /// caller that keeps such work off the Swift concurrency pool (the
    /// worker) decodes it where it does the rest.
    ///
    /// `onReplyStarted` runs (on the HTTP client's thread, so it must return at once) when a
    /// successful answer's headers are in, before its body: the prediction is done and the
    /// endpoint's replica free, while megabytes of layers may still be on the way (a worker
    /// frees the call's slot then).
    /// - Throws: `VertexError` (classified), or `PredictionCallCancelled` when the task was
    ///   cancelled — the transfer is aborted, not left running. Errors in the body itself come
    ///   from `decode`.
    public func call(
        _ request: PredictionRequest, onReplyStarted: (@Sendable () -> Void)? = nil
    ) async throws -> PredictionReply {
        guard request.bodyByteCount <= maxRequestBytes else {
            throw VertexError.requestTooLarge(bytes: request.bodyByteCount, limit: maxRequestBytes)
        }
        let body = [UInt8](request.body())
        var onHead: (@Sendable (Int) -> Void)?
        if let onReplyStarted {
            onHead = { status in if (200..<300).contains(status) { onReplyStarted() } }
        }
        var response = try await send(body, forceRefresh: false, onHead: onHead)
        if response.status == 401 {
            response = try await send(body, forceRefresh: true, onHead: onHead)
        }
        guard (200..<300).contains(response.status) else {
            throw VertexError.fromHTTP(status: response.status, headers: response.headers, body: response.body, now: Date())
        }
        return PredictionReply(body: response.body, requestedLayers: request.layers)
    }

    private func send(
        _ body: [UInt8], forceRefresh: Bool, onHead: (@Sendable (Int) -> Void)?
    ) async throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", PredictionRequest.contentType)]
        do {
            if let token = try await auth.accessToken(forceRefresh: forceRefresh) {
                headers.append(("Authorization", "Bearer \(token)"))
            }
        } catch {
            throw VertexError(kind: error.isRetryable ? .retryable : .final, code: .authFailed, message: error.message)
        }
        var request = HTTPRequest(
            method: "POST", url: endpoint.url.absoluteString, headers: headers, body: body, timeout: timeout,
            connectTimeout: connectTimeout, maxResponseBytes: maxResponseBytes)
        request.onResponseHead = onHead
        do {
            return try await http.send(request)
        } catch {
            throw Self.classify(error)
        }
    }

    /// Transport failures in the retry policy's terms.
    static func classify(_ error: HTTPTransportError) -> any Error {
        switch error {
        case .cancelled(let sent): return PredictionCallCancelled(reachedEndpoint: sent)
        case .connectFailed(let why): return VertexError.connectionFailed(why)
        case .timedOut(let limit): return VertexError.timedOut(after: limit)
        case .connectionDropped(let why): return VertexError.connectionDropped(why)
        case .responseTooLarge(let limit):
            return VertexError.malformedResponse("the response is larger than the \(limit)-byte limit")
        case .tls(let why):
            return VertexError(kind: .final, code: .tlsFailed, message: "TLS with the GPU endpoint failed: \(why)")
        case .other(let why):
            return VertexError.connectionFailed(why)
        }
    }
}
