import Foundation

/// One `:predict` request as the request log records it: when it arrived,
/// what became of it, the HTTP status sent and how long it took. A line of
/// the log is `{"arrived_ms":1764000000123,"outcome":"rate-limited","status":429,"duration_ms":1003}`.
public struct RequestLogEntry: Sendable, Equatable {
    /// What became of a request: normal, one of the injected faults, or
    /// refused (`error`: a bad request, an unreadable body, a server fault).
    public enum Outcome: String, Sendable, CaseIterable {
        case ok
        case rateLimited = "rate-limited"
        case unavailable
        case hang
        case malformedBody = "malformed-body"
        case wrongLayerCount = "wrong-layer-count"
        case error

        /// The outcome of a request that drew `fault` (`nil`: none) and was
        /// answered (`failed` false) or ended with an error. An injected
        /// fault is itself the answer, except a wrong layer count, which
        /// still needs a valid request.
        init(fault: Fault?, failed: Bool) {
            switch fault {
            case nil: self = failed ? .error : .ok
            case .wrongLayerCount?: self = failed ? .error : .wrongLayerCount
            case .rateLimited?: self = .rateLimited
            case .unavailable?: self = .unavailable
            case .hang?: self = .hang
            case .malformedBody?: self = .malformedBody
            }
        }
    }

    /// Wall-clock time the request reached the handler, in milliseconds
    /// since 1970 (a timeline lines up with other processes' clocks).
    public let arrivedMilliseconds: Int64
    public let outcome: Outcome
    public let status: Int
    /// From arrival until the answer was ready (for a hang: until it ended,
    /// whether or not the client was still there).
    public let durationMilliseconds: Int64

    public init(arrivedMilliseconds: Int64, outcome: Outcome, status: Int, durationMilliseconds: Int64) {
        self.arrivedMilliseconds = arrivedMilliseconds
        self.outcome = outcome
        self.status = status
        self.durationMilliseconds = durationMilliseconds
    }

    /// The JSON line, without the newline. Written by hand: every value is
    /// a number or one of the fixed outcome names, nothing needs escaping.
    public var jsonLine: String {
        #"{"arrived_ms":\#(arrivedMilliseconds),"outcome":"\#(outcome.rawValue)","status":\#(status),"duration_ms":\#(durationMilliseconds)}"#
    }
}
