import DecomposerCore
import Logging
import ServiceLifecycle

/// Runs a `WebhookDeliverer` for as long as the worker runs (its ServiceGroup, when
/// `WEBHOOK_SECRET` is set): delivers what is due, then sleeps until the next retry falls due or
/// the poll interval passes. A POST in flight at shutdown finishes (bounded by its timeout) or is
/// handed back at once; a Redis that cannot be reached is looked at again after the poll interval.
public struct WebhookDeliveryService: Service {
    public let deliverer: WebhookDeliverer
    let logger: Logger

    public init(deliverer: WebhookDeliverer, logger: Logger) {
        self.deliverer = deliverer
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = deliverer.policy.pollInterval
            do {
                switch try await deliverer.deliverNext() {
                case .attempted: continue
                case .idle(let next): if let next { wait = min(wait, max(next, .milliseconds(10))) }
                }
            } catch {
                logger.warning("Webhooks: cannot read the outbox (\(error)); looking again in \(wait)")
            }
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
