import VertexClient

/// What only tests do: call and decode in one step (the worker decodes off the concurrency pool).
extension VertexPredictionClient {
    /// Sends one prediction request and decodes the answer.
    /// - Throws: `VertexError` (classified), or `PredictionCallCancelled` when the
    ///   task was cancelled — the transfer is aborted, not left running.
    public func predict(_ request: PredictionRequest) async throws -> PredictionResponse {
        try await call(request).decode()
    }
}
