import Prometheus

/// Webhook deliveries on a registry of their own, appended to the worker's `/metrics`.
public final class WebhookMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let delivered: Counter
    let retried: Counter
    let gaveUp: Counter
    let stopped: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let deliveries = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "webhook", metricName: "deliveries", unitName: "total",
            helpText: "Webhook tries this process made, by outcome (retried: failed, tried again later; "
                + "given_up: failed for WEBHOOK_RETRY_HOURS; stopped: the receiver answered 410)")
        delivered = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "delivered")])
        retried = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "retried")])
        gaveUp = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "given_up")])
        stopped = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "stopped")])
    }
}
