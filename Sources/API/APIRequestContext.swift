import Hummingbird
import HummingbirdWebSocket

/// The context of every API request; it can upgrade to a WebSocket.
public struct APIRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<APIRequestContext>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
    }

    /// JSON bodies are small; uploads stream and have their own limit.
    public var maxUploadSize: Int { 64 * 1024 }
}
