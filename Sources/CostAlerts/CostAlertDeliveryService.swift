import DecomposerCore
import Logging
import ServiceLifecycle

/// Runs a `CostAlertDeliverer` for as long as its process runs (the worker's and the API's
/// ServiceGroup, when `COST_ALERT_WEBHOOK_URL` is set): delivers what is due, then sleeps until the
/// next retry falls due or the poll interval passes, whichever comes first. A POST in flight at
/// shutdown finishes (it is bounded by the POST timeout); an outbox Redis cannot be reached for is
/// looked at again after the poll interval.
public struct CostAlertDeliveryService: Service {
    public let deliverer: CostAlertDeliverer
    let logger: Logger

    public init(deliverer: CostAlertDeliverer, logger: Logger) {
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
                logger.warning("Cost alerts: cannot read the outbox (\(error)); looking again in \(wait)")
            }
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
