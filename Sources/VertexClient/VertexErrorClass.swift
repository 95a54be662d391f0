/// Whether trying the same call again can help.
///
/// The worker only needs this one bit to choose between the delayed-retry path
/// of the queue and failing the job; the `code` says why for the job record.
public enum VertexErrorClass: String, Sendable, Equatable {
    /// The endpoint or the network was the problem (429, 5xx, timeout, reset):
    /// the same request may succeed later.
    case retryable
    /// The request or the configuration is the problem (4xx, malformed reply):
    /// repeating it would fail the same way and waste GPU time.
    case final
}
