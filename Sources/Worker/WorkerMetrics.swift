import OperationalRoutes
import Prometheus

/// The worker's Prometheus metrics, on a registry of its own (no global
/// MetricsSystem bootstrap, which a process may do only once).
public final class WorkerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let completed: Counter
    let failed: Counter
    let retried: Counter
    let handedBack: Counter
    /// Jobs completed from the result cache (also counted as completed).
    let cacheHits: Counter
    let endpointCalls: DurationHistogram
    let inFlight: Gauge
    /// 1 while `DAILY_BUDGET_USD` is spent and this worker claims nothing.
    let budgetExhausted: Gauge
    /// Queue depth by state, read when scraped; nil for a worker inside the API
    /// process, whose own metrics already report it.
    let queueDepth: QueueDepthGauges?

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), reportsQueueDepth: Bool = true) {
        self.registry = registry
        let jobs = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "worker", metricName: "jobs", unitName: "total",
            helpText: "Job attempts this worker ended, by outcome")
        completed = registry.makeCounter(descriptor: jobs, labels: [("outcome", "completed")])
        failed = registry.makeCounter(descriptor: jobs, labels: [("outcome", "failed")])
        retried = registry.makeCounter(descriptor: jobs, labels: [("outcome", "retried")])
        handedBack = registry.makeCounter(descriptor: jobs, labels: [("outcome", "handed_back")])
        cacheHits = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "worker", metricName: "result_cache_hits", unitName: "total",
            helpText: "Jobs this worker completed from the result cache, without an endpoint call"))
        endpointCalls = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "decomposer", subsystem: "worker", metricName: "endpoint_call_duration", unitName: "seconds",
                helpText: "Duration of calls to the prediction endpoint"),
            buckets: [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(30),
                      .seconds(60), .seconds(120), .seconds(300)])
        inFlight = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "worker", metricName: "in_flight", unitName: "jobs",
            helpText: "Jobs this worker is running now"))
        budgetExhausted = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "worker", metricName: "budget_exhausted", unitName: "",
            helpText: "1 while the daily GPU budget is spent and no job is claimed"))
        queueDepth = reportsQueueDepth ? QueueDepthGauges(registry: registry) : nil
    }
}
