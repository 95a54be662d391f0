/// A 2xx answer from the endpoint, not yet decoded (see
/// `VertexPredictionClient.call`).
public struct PredictionReply: Sendable {
    /// The response body as received.
    public let body: [UInt8]
    /// How many layers the request asked for.
    public let requestedLayers: Int

    public init(body: [UInt8], requestedLayers: Int) {
        self.body = body
        self.requestedLayers = requestedLayers
    }

    /// The layers, or a final `VertexError` when the body is malformed or
    /// holds another number of layers than was asked for.
    public func decode() throws(VertexError) -> PredictionResponse {
        let decoded = try PredictionResponse.decode(body)
        guard decoded.layers.count == requestedLayers else {
            throw .invalidLayers("the endpoint returned \(decoded.layers.count) layers; \(requestedLayers) were requested")
        }
        return decoded
    }
}
