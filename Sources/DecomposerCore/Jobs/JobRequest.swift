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
    /// Set when the job splits a layer of another job further; `fileID` is then that layer,
    /// copied into an upload of its own.
    public var parent: JobParent?
    /// Where the job's events are POSTed (`"webhook"`, `"webhook_events"`); nil: nowhere.
    public var webhook: JobWebhook?

    public static let layerRange = 2...10
    public static let resolutions = [640, 1024]

    public init(
        fileID: UUID, numLayers: Int = 5, resolution: Int = 1024, useCache: Bool = true, parent: JobParent? = nil,
        webhook: JobWebhook? = nil
    ) {
        self.fileID = fileID
        self.numLayers = numLayers
        self.resolution = resolution
        self.useCache = useCache
        self.parent = parent
        self.webhook = webhook
    }

    /// Identifies the request's content, so an idempotency key reused for a
    /// different request can be told apart from a retry of the same one. A split names its
    /// source (parent job and layer), never the upload it was copied into, so it never matches
    /// a request for a file. The webhook and its events are part of it: the same key sent with
    /// another receiver is another request.
    public var fingerprint: String {
        let input = parent.map { "source:\($0.jobID.lowercasedString):\($0.layer)" } ?? fileID.lowercasedString
        return "\(input):\(numLayers):\(resolution)" + (useCache ? "" : ":no-cache")
            + (webhook.map { ":webhook:\($0.eventList):\($0.url)" } ?? "")
    }
}
