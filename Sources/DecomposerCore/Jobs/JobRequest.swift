import Foundation
import SystemSupport

/// What a caller asks for when enqueuing.
public struct JobRequest: Sendable, Equatable {
    public var fileID: UUID
    public var numLayers: Int
    public var resolution: Int
    /// False: the job neither takes a result from the result cache nor leaves one in it (a fresh
    /// call, e.g. to get another sample from the model); `"cache": false` in the request.
    public var useCache: Bool

    public static let layerRange = 2...10
    public static let resolutions = [640, 1024]

    public init(fileID: UUID, numLayers: Int = 5, resolution: Int = 1024, useCache: Bool = true) {
        self.fileID = fileID
        self.numLayers = numLayers
        self.resolution = resolution
        self.useCache = useCache
    }

    /// Identifies the request's content, so an idempotency key reused for a
    /// different request can be told apart from a retry of the same one.
    public var fingerprint: String {
        "\(fileID.lowercasedString):\(numLayers):\(resolution)" + (useCache ? "" : ":no-cache")
    }
}
