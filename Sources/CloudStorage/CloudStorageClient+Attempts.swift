import CurlHTTP
import GoogleAuth

extension CloudStorageClient {
    /// One call, attempted as often as `retry` allows, returning its 2xx response.
    ///
    /// Transient failures (408, 429, 5xx, a timeout, a dropped connection, a token endpoint out of
    /// reach) are retried only when `idempotent`; a refused connection always is, because nothing
    /// reached Cloud Storage. Every other status is final at once, with Cloud Storage's message.
    /// A 401 gets one fresh token and one more try, outside the retry count.
    /// - Parameters:
    ///   - beforeAttempt: runs before each attempt (a download restarts its file).
    ///   - request: the request for the given headers (the `Authorization` one when there is a token).
    func perform(
        _ what: String, idempotent: Bool,
        beforeAttempt: () async throws(CloudStorageError) -> Void = {},
        request: ([(name: String, value: String)]) -> HTTPRequest
    ) async throws(CloudStorageError) -> HTTPResponse {
        let started = retry.now()
        var attempts = 0
        var forceRefresh = false
        var refreshedAfter401 = false
        while true {
            if Task.isCancelled { throw .cancelled }
            attempts += 1
            try await beforeAttempt()
            let failure: TransientFailure
            switch await attempt(request, forceRefresh: forceRefresh) {
            case .success(let response):
                if (200..<300).contains(response.status) { return response }
                let message = ErrorBody.message(response.body, status: response.status)
                if response.status == 401 && !refreshedAfter401 {
                    // An expired or revoked token: one fresh one, as Google's libraries do.
                    refreshedAfter401 = true
                    forceRefresh = true
                    attempts -= 1
                    continue
                }
                guard StorageRetryPolicy.isTransient(status: response.status) else {
                    throw Self.finalError(status: response.status, message: "\(what): \(message)")
                }
                failure = TransientFailure(message: "HTTP \(response.status): \(message)", reachedServer: true)
            case .failure(.final(let error)):
                throw error
            case .failure(.transient(let transient)):
                failure = transient
            }
            forceRefresh = false
            guard idempotent || !failure.reachedServer else {
                throw .unavailable(
                    "\(what): \(failure.message) (not retried: the request is not idempotent)", attempts: attempts)
            }
            let elapsed = retry.now() - started
            guard let delay = retry.delay(beforeRetry: attempts - 1, attempts: attempts, elapsed: elapsed) else {
                throw .unavailable("\(what): \(failure.message)", attempts: attempts)
            }
            do {
                try await retry.sleep(delay)
            } catch {
                throw .cancelled
            }
        }
    }

    /// A failure worth another try, and whether the server may have acted on the request.
    struct TransientFailure: Error {
        let message: String
        let reachedServer: Bool
    }

    enum AttemptFailure: Error {
        case transient(TransientFailure)
        case final(CloudStorageError)
    }

    /// One exchange: a token, then the request. A response of any status is a success here.
    private func attempt(
        _ request: ([(name: String, value: String)]) -> HTTPRequest, forceRefresh: Bool
    ) async -> Result<HTTPResponse, AttemptFailure> {
        var headers: [(name: String, value: String)] = []
        do {
            if let token = try await auth.accessToken(forceRefresh: forceRefresh) {
                headers.append(("Authorization", "Bearer \(token)"))
            }
        } catch {
            guard error.isRetryable else { return .failure(.final(.credentials(error.message))) }
            return .failure(.transient(TransientFailure(message: error.message, reachedServer: false)))
        }
        do {
            return .success(try await http.send(request(headers)))
        } catch {
            return .failure(Self.classify(error))
        }
    }

    static func classify(_ error: HTTPTransportError) -> AttemptFailure {
        switch error {
        case .connectFailed(let why):
            return .transient(TransientFailure(message: "could not connect: \(why)", reachedServer: false))
        case .timedOut, .connectionDropped:
            return .transient(TransientFailure(message: error.description, reachedServer: true))
        case .cancelled: return .final(.cancelled)
        case .responseTooLarge(let limit): return .final(.objectTooLarge(limit: limit))
        case .tls(let why): return .final(.failed("TLS failure: \(why)"))
        case .other(let why): return .final(.failed(why))
        }
    }

    static func finalError(status: Int, message: String) -> CloudStorageError {
        switch status {
        case 404: return .notFound(message)
        case 401, 403: return .permissionDenied(message)
        case 412: return .preconditionFailed(message)
        default: return .rejected(status: status, message: message)
        }
    }
}
