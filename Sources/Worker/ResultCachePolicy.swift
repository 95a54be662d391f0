import Crypto
import DecomposerCore
import Foundation
import VertexClient

/// The result cache as a worker uses it (`CACHE_TTL_DAYS` > 0): a decomposition is identified by
/// its digest, and a job whose digest has a completed result is completed from it instead of
/// calling the endpoint (see `JobRunner+ResultCache`).
public struct ResultCachePolicy: Sendable {
    /// How long an entry answers (`CACHE_TTL_DAYS`).
    public let timeToLive: Duration
    /// `MODEL_VERSION`: changed by operators when another model is deployed behind the same
    /// endpoint, so results of the old one are not served for the new.
    public let modelVersion: String
    /// How often a job whose twin is calling the endpoint asks again.
    public let pollInterval: Duration

    public init(timeToLive: Duration, modelVersion: String = "", pollInterval: Duration = .seconds(1)) {
        self.timeToLive = timeToLive
        self.modelVersion = modelVersion
        self.pollInterval = pollInterval
    }

    /// The request's identity, as lowercase hex SHA-256: the prepared image's bytes (what the
    /// endpoint sees, so two uploads of one poster match however they were named), the layer
    /// count, the resolution, the endpoint (project, location, endpoint id) and the model version.
    /// The endpoint's `deployedModelId` is not in it (known only after the call); it is recorded
    /// on the entry. Every field is length-prefixed, so no two requests run together alike.
    public func digest(image: [UInt8], layers: Int, resolution: Int, endpoint: PredictionEndpoint) -> String {
        var hash = SHA256()
        for field in [
            "decomposer-result-v1", endpoint.projectID, endpoint.location, endpoint.endpointID, modelVersion,
            String(layers), String(resolution),
        ] {
            hash.update(data: Array("\(field.utf8.count):\(field)\n".utf8))
        }
        hash.update(data: image)
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
