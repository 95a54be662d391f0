import Hummingbird

/// The context of every API request; a `/ws/status/{id}` handshake leaves its target in
/// `watchUpgrade` for the connection to upgrade.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let watchUpgrade: WatchUpgradeSlot

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        watchUpgrade = WatchUpgradeSlot()
    }

    /// JSON bodies are small; uploads stream and have their own limit.
    public var maxUploadSize: Int { 64 * 1024 }
}
