import Logging
import ServiceLifecycle

/// Something that drains one of the queue's outboxes (cost alerts, webhooks) one due item at a time.
public protocol OutboxDeliverer: Sendable {
    /// How long to sleep at most when nothing is due (a retry that falls due sooner wakes it sooner).
    var pollInterval: Duration { get }
    /// Delivers the next due item: `nil` when one was attempted (look again at once), else how long until
    /// the next falls due (`.some(nil)`: nothing scheduled).
    func deliverOne() async throws -> Duration??
}

/// Runs an `OutboxDeliverer` for as long as its process runs (the worker's and the API's ServiceGroup):
/// delivers what is due, then sleeps until the next retry falls due or the poll interval passes,
/// whichever comes first. A POST in flight at shutdown finishes (bounded by its timeout); an outbox
/// Redis cannot be reached for is looked at again after the poll interval. One loop for both outboxes.
public struct OutboxDeliveryService<Deliverer: OutboxDeliverer>: Service {
    public let deliverer: Deliverer
    /// What the log lines call the outbox ("Webhooks", "Cost alerts").
    let name: String
    let logger: Logger

    public init(deliverer: Deliverer, name: String, logger: Logger) {
        self.deliverer = deliverer
        self.name = name
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = deliverer.pollInterval
            do {
                guard let next = try await deliverer.deliverOne() else { continue }
                if let next { wait = min(wait, max(next, .milliseconds(10))) }
            } catch {
                logger.warning("\(name): cannot read the outbox (\(error)); looking again in \(wait)")
            }
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
