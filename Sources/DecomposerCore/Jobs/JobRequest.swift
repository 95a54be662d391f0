import Foundation
import SystemSupport

/// What a caller asks for when enqueuing.
public struct JobRequest: Sendable, Equatable {
    public var fileID: UUID
    public var numLayers: Int
    public var resolution: Int

    public static let layerRange = 2...10
    public static let resolutions = [640, 1024]

    public init(fileID: UUID, numLayers: Int = 5, resolution: Int = 1024) {
        self.fileID = fileID
        self.numLayers = numLayers
        self.resolution = resolution
    }

    /// Identifies the request's content, so an idempotency key reused for a
    /// different request can be told apart from a retry of the same one.
    public var fingerprint: String { "\(fileID.lowercasedString):\(numLayers):\(resolution)" }
}
