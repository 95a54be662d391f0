import CostAlerts
import CurlHTTP
import DecomposerCore
import Logging
import OperationalRoutes

extension ServiceEnvironment {
    /// With `COST_ALERT_WEBHOOK_URL` set, the service that delivers the fleet's cost alerts, run by
    /// every worker and every API process: alerts are claimed with a lease, so each is still POSTed
    /// once in the normal case, and the API (always up) delivers them while workers are scaled to
    /// zero, as they are once the budget's hold stops the queue. Logs where they go (scheme and
    /// host only: a webhook URL's path is its secret).
    func costAlertDelivery(http: CurlHTTPClient) -> OutboxDeliveryService<CostAlertDeliverer>? {
        let settings = configuration.costAlerts
        guard let url = settings.webhookURL else { return nil }
        let deliverer = CostAlertDeliverer(
            queue: queue, http: http, url: url, format: settings.format, logger: Logger(label: "cost-alerts"))
        let budget = configuration.dailyBudgetUSD.map { String(format: "$%.2f", $0) } ?? "no budget"
        logger.info(
            "Cost alerts to \(deliverer.receiver) (\(settings.format.rawValue)) at \(settings.thresholds.map(CostAlertSettings.label).joined(separator: ", ")) of the \(budget) daily budget")
        return OutboxDeliveryService(deliverer: deliverer, name: "Cost alerts", logger: Logger(label: "cost-alerts"))
    }
}

extension OutboxDeliveryService<CostAlertDeliverer> {
    /// Its counters, for the process's `/metrics`.
    var prometheusText: PrometheusText { PrometheusText { [deliverer] in deliverer.metrics.registry.emitToBuffer() } }
}
