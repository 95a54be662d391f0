import Foundation
import Logging
import Synchronization
import SystemSupport

/// What a subscription delivers.
public enum RedisSubscriptionEvent: Sendable, Equatable {
    /// Subscribed (again): messages published while disconnected were missed,
    /// so a consumer that needs every change re-reads what it watches.
    case subscribed
    case message(channel: String, payload: String)
}

extension RedisClient {
    /// Subscribes on a connection and thread of its own, reconnecting (and
    /// resubscribing) with backoff for as long as the stream is consumed.
    /// Ending iteration closes the connection.
    public func subscribe(to channels: [String], bufferLimit: Int = 100_000) -> AsyncStream<RedisSubscriptionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RedisSubscriptionEvent.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let box = StopFlag()
        continuation.onTermination = { _ in box.stop() }
        let configuration = configuration
        let logger = logger
        Thread.startNamed("redis-subscriber") {
            Self.runSubscription(channels: channels, configuration: configuration, logger: logger,
                                 stop: box, continuation: continuation)
        }
        return stream
    }

    private static func runSubscription(
        channels: [String],
        configuration: RedisConfiguration,
        logger: Logger,
        stop: StopFlag,
        continuation: AsyncStream<RedisSubscriptionEvent>.Continuation
    ) {
        var backoff = Duration.milliseconds(50)
        while !stop.isStopped {
            do {
                let connection = try RedisConnection(configuration, readTimeout: configuration.commandTimeout)
                try connection.append(["SUBSCRIBE"] + channels)
                for _ in channels { _ = try connection.readReply() }
                backoff = .milliseconds(50)
                continuation.yield(.subscribed)
                while !stop.isStopped {
                    while let reply = try connection.bufferedReply() {
                        if case .array(let parts) = reply, parts.count == 3, parts[0].string == "message",
                            let channel = parts[1].string, let payload = parts[2].string
                        {
                            continuation.yield(.message(channel: channel, payload: payload))
                        }
                    }
                    _ = try connection.fill(waitingUpTo: .milliseconds(250))
                }
            } catch {
                if stop.isStopped { break }  // torn down on purpose; nothing to report
                logger.warning("Redis subscription interrupted; resubscribing", metadata: ["error": "\(error)"])
                var waited = Duration.zero
                while waited < backoff && !stop.isStopped {
                    Thread.sleep(forTimeInterval: 0.05)
                    waited += .milliseconds(50)
                }
                backoff = min(backoff * 2, .seconds(2))
            }
        }
        continuation.finish()
    }
}

/// Lets the stream's termination handler stop the subscriber thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func stop() { flag.store(true, ordering: .relaxed) }
    var isStopped: Bool { flag.load(ordering: .relaxed) }
}
