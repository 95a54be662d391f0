import DecomposerCore
import Prometheus

/// The fleet-wide queue gauges, read from Redis when scraped:
/// `decomposer_queue_depth_jobs{state=waiting|retrying|running|dead}`, and for autoscaling
/// `decomposer_queue_demand_jobs` (`QueueCounts.demand`: the jobs that need a worker now) with
/// `decomposer_queue_claimable` (1 unless a budget hold, an operator's pause or a fleet pause stops workers).
/// One type for the API and the worker, so each family is declared once; a process that runs
/// both (`api --with-worker`) makes them on one registry only, so they appear once.
public struct QueueDepthGauges: Sendable {
    private let waiting: Gauge
    private let retrying: Gauge
    private let running: Gauge
    private let dead: Gauge
    private let demand: Gauge
    private let claimable: Gauge

    /// The name KEDA's trigger reads (deploy/kubernetes; a test keeps the two equal).
    public static var demandMetricName: String { demandDescriptor.name }
    public static var claimableMetricName: String { claimableDescriptor.name }

    static var demandDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "demand", unitName: "jobs",
            helpText: "Jobs that need a worker now: running, plus waiting and due retries unless the queue is held or paused")
    }

    static var claimableDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "claimable", unitName: "",
            helpText: "1 when a job taken now could go to the endpoint now (no budget hold, no fleet pause after a 429)")
    }

    public init(registry: PrometheusCollectorRegistry) {
        let descriptor = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "depth", unitName: "jobs",
            helpText: "Jobs in the queue by state")
        func gauge(_ state: String) -> Gauge { registry.makeGauge(descriptor: descriptor, labels: [("state", state)]) }
        waiting = gauge("waiting")
        retrying = gauge("retrying")
        running = gauge("running")
        dead = gauge("dead")
        demand = registry.makeGauge(descriptor: Self.demandDescriptor)
        claimable = registry.makeGauge(descriptor: Self.claimableDescriptor)
    }

    public func record(_ counts: QueueCounts) {
        waiting.set(Int64(counts.waiting))
        retrying.set(Int64(counts.delayed))
        running.set(Int64(counts.active))
        dead.set(Int64(counts.dead))
        demand.set(Int64(counts.demand))
        claimable.set(Int64(counts.claimable ? 1 : 0))
    }
}
