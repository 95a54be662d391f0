/// Prometheus text from another component in the same process (the
/// in-process worker's registry, appended to the API's `/metrics`).
public struct PrometheusText: Sendable {
    public let emit: @Sendable () async -> [UInt8]

    public init(emit: @escaping @Sendable () async -> [UInt8]) { self.emit = emit }
}
