import Prometheus

/// Cost-alert deliveries on a registry of their own, appended to the `/metrics` of the process
/// that delivers (the worker's on `WORKER_PORT`, the API's).
public final class CostAlertMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let delivered: Counter
    let failed: Counter
    let gaveUp: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let deliveries = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "cost_alert", metricName: "deliveries", unitName: "total",
            helpText: "Cost alert POSTs this process made, by outcome (failed: to be retried)")
        delivered = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "delivered")])
        failed = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "failed")])
        gaveUp = registry.makeCounter(descriptor: deliveries, labels: [("outcome", "given_up")])
    }
}
