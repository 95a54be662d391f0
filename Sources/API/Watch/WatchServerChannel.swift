import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Synchronization

/// The API's connections: HTTP/1.1 as Hummingbird serves it, and WebSocket upgrades of
/// `/ws/status/{id}` that leave no task behind. A connection served the usual way keeps its task
/// (and a reader, a pinger and a writer task) for the life of the socket: 46 KiB per idle watcher,
/// 490 MiB at 10,000. Here an upgraded connection is a `WatchConnection` handler on its channel's
/// event loop, fed by the hub, and the task that negotiated it returns.
///
/// The handshake goes through the router like any request (API key, metrics, the route's checks);
/// the route accepts by leaving a `WatchTarget` in the context. A handshake it does not accept is
/// answered with the router's own response (a JSON error) and the connection closes.
struct WatchServerChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// A handshake the router did not accept: its answer is written, then the connection closes.
        case answered(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, RouterAnswer)
        /// Upgraded: the channel's `WatchConnection` owns it from here.
        case watching
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    private let router: RouterResponder<APIRequestContext>
    private let http1: HTTP1Channel.Configuration
    private let watch: StatusWebSocket

    /// Largest frame a watcher may send: it only ever sends pings, pongs and its close.
    static let maxClientFrameSize = 1 << 16

    init(
        responder: @escaping HTTPChannelHandler.Responder, router: RouterResponder<APIRequestContext>,
        http1: HTTP1Channel.Configuration, watch: StatusWebSocket
    ) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.router = router
        self.http1 = http1
        self.watch = watch
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let negotiation = Negotiation()
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: Self.maxClientFrameSize,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask { try await self.shouldUpgrade(head, channel: channel, logger: logger, negotiation) }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let target = negotiation.target else { throw NIOWebSocketUpgradeError.unsupportedWebSocketTarget }
                        try channel.pipeline.syncOperations.addHandler(watch.connection(for: target))
                        return .watching
                    }
                })
            let notUpgrading = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(http1.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if let answer = negotiation.answer { return .answered(http, answer) }
                        return .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: notUpgrading)
            configuration.enablePipelining = false  // NIOAsyncChannel serves requests in order
            configuration.enableErrorHandling = false  // Hummingbird answers parse errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validated them
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .answered(let http, let answer):
                try await http.executeThenClose { _, outbound in
                    try await outbound.write(contentsOf: answer.parts)
                }
            case .watching:
                return
            }
        } catch {
            logger.debug("Connection ended during negotiation", metadata: ["error.type": "\(error)"])
        }
    }

    /// Runs the handshake through the router; upgrade headers when the route accepted it.
    private func shouldUpgrade(_ head: HTTPRequestHead, channel: any Channel, logger: Logger, _ negotiation: Negotiation) async throws
        -> HTTPHeaders?
    {
        let request = Request(head: try HTTPRequest(head, secure: false, splitCookie: false), body: .init(buffer: .init()))
        let context = APIRequestContext(source: .init(channel: channel, logger: logger))
        let response = try await router.respond(to: request, context: context)
        if let target = context.watchUpgrade.accepted {
            negotiation.target = target
            return HTTPHeaders()
        }
        negotiation.answer = try await RouterAnswer(response)
        return nil
    }

    /// NIO negotiates an upgrade only on a connection's first request: a handshake arriving later
    /// on a kept-alive connection is sent to the same address on a new one.
    private static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await writer.writeResponse(
                HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location, .contentLength: "0"]))
            throw ChannelError.outputClosed
        }
    }
}

/// What one connection's handshake decided, between NIO's two upgrade callbacks (both on its event loop).
private final class Negotiation: Sendable {
    private let state = Mutex<(target: WatchTarget?, answer: RouterAnswer?)>((nil, nil))

    var target: WatchTarget? {
        get { state.withLock { $0.target } }
        set { state.withLock { $0.target = newValue } }
    }

    var answer: RouterAnswer? {
        get { state.withLock { $0.answer } }
        set { state.withLock { $0.answer = newValue } }
    }
}

/// The router's response to a handshake it refused, read whole (an error body is small), to be
/// written as the connection's only answer.
struct RouterAnswer: Sendable {
    let parts: [HTTPResponsePart]

    init(_ response: Response) async throws {
        var response = response
        let body = BodyCollector()
        let responseBody = response.body
        try await responseBody.write(body)
        let bytes = body.bytes.withLock { $0 }
        response.headers[.connection] = "close"
        response.headers[.contentLength] = String(bytes.readableBytes)
        parts = [.head(response.head), .body(bytes), .end(nil)]
    }

    private final class BodyCollector: ResponseBodyWriter, Sendable {
        let bytes = Mutex(ByteBuffer())

        func write(_ buffer: ByteBuffer) async throws {
            bytes.withLock { collected in
                var buffer = buffer
                collected.writeBuffer(&buffer)
            }
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
