/// The prediction call was abandoned because its task was cancelled (a user's cancel, a
/// shutdown past its grace); the transfer is aborted. `reachedEndpoint`: whether the request
/// had begun to go out, so GPU time may have been spent on it and it is billed.
public struct PredictionCallCancelled: Error, Sendable, Equatable {
    public let reachedEndpoint: Bool

    public init(reachedEndpoint: Bool) { self.reachedEndpoint = reachedEndpoint }
}
