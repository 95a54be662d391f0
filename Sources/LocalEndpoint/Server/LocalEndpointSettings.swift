/// What the local endpoint accepts, how it misbehaves, and where it records requests.
public struct LocalEndpointSettings: Sendable {
    public var faults: FaultSettings
    /// Where each `:predict` request is recorded (`--request-log`); `nil`: nowhere.
    public var requestLog: RequestLog?
    /// Larger bodies get 400 `INVALID_ARGUMENT`, as Vertex answers them
    /// (10 MB: a dedicated endpoint's limit).
    public var maxRequestBytes: Int
    /// Larger images are refused before their pixels are decoded. The worker
    /// sends at most `resolution`² pixels; 16 M leaves room for any setting.
    public var maxImagePixels: Int
    /// Sent back as `deployedModelId`, which the worker records.
    public var deployedModelID: String

    public init(
        faults: FaultSettings = .none, maxRequestBytes: Int = 10 << 20, maxImagePixels: Int = 4096 * 4096,
        deployedModelID: String = "local-cpu", requestLog: RequestLog? = nil
    ) {
        self.faults = faults
        self.requestLog = requestLog
        self.maxRequestBytes = maxRequestBytes
        self.maxImagePixels = maxImagePixels
        self.deployedModelID = deployedModelID
    }
}
