/// What the local endpoint accepts and how it misbehaves.
public struct LocalEndpointSettings: Sendable {
    public var faults: FaultSettings
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
        deployedModelID: String = "local-cpu"
    ) {
        self.faults = faults
        self.maxRequestBytes = maxRequestBytes
        self.maxImagePixels = maxImagePixels
        self.deployedModelID = deployedModelID
    }
}
