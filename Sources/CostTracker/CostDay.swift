/// One UTC day of attributed GPU use.
public struct CostDay: Sendable, Equatable {
    /// `YYYY-MM-DD`, UTC.
    public var date: String
    public var microdollars: Int64
    public var gpuMilliseconds: Int64
    public var requests: Int64
    public var failedRequests: Int64
    /// Jobs completed from the result cache, with no call.
    public var cacheHits: Int64
    /// What those jobs would have cost: each hit at its cache entry's average call cost.
    public var cacheAvoidedMicrodollars: Int64

    public init(
        date: String, microdollars: Int64 = 0, gpuMilliseconds: Int64 = 0, requests: Int64 = 0, failedRequests: Int64 = 0,
        cacheHits: Int64 = 0, cacheAvoidedMicrodollars: Int64 = 0
    ) {
        self.date = date
        self.microdollars = microdollars
        self.gpuMilliseconds = gpuMilliseconds
        self.requests = requests
        self.failedRequests = failedRequests
        self.cacheHits = cacheHits
        self.cacheAvoidedMicrodollars = cacheAvoidedMicrodollars
    }

    public var usd: Double { Double(microdollars) / 1_000_000 }
    public var cacheAvoidedUSD: Double { Double(cacheAvoidedMicrodollars) / 1_000_000 }
    public var gpuSeconds: Double { Double(gpuMilliseconds) / 1000 }
}
