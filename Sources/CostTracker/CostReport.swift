/// Cost figures for a run of UTC days, as `/api/costs` and
/// `decomposer cost-report --format json` print them (the same JSON).
public struct CostReport: Sendable, Equatable, Encodable {
    public var days: [CostDay]

    public init(days: [CostDay]) { self.days = days }

    public var totalMicrodollars: Int64 { days.reduce(0) { $0 + $1.microdollars } }
    public var totalCacheHits: Int64 { days.reduce(0) { $0 + $1.cacheHits } }
    public var totalCacheAvoidedMicrodollars: Int64 { days.reduce(0) { $0 + $1.cacheAvoidedMicrodollars } }

    enum CodingKeys: String, CodingKey {
        case days, totalUSD = "total_usd", totalCacheHits = "total_cache_hits", totalCacheAvoidedUSD = "total_cache_avoided_usd"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(days, forKey: .days)
        try container.encode(Double(totalMicrodollars) / 1_000_000, forKey: .totalUSD)
        try container.encode(totalCacheHits, forKey: .totalCacheHits)
        try container.encode(Double(totalCacheAvoidedMicrodollars) / 1_000_000, forKey: .totalCacheAvoidedUSD)
    }
}

extension CostDay: Encodable {
    enum CodingKeys: String, CodingKey {
        case date, usd, gpuSeconds = "gpu_seconds", requests, failedRequests = "failed_requests"
        case cacheHits = "cache_hits", cacheAvoidedUSD = "cache_avoided_usd"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date, forKey: .date)
        try container.encode(usd, forKey: .usd)
        try container.encode(gpuSeconds, forKey: .gpuSeconds)
        try container.encode(requests, forKey: .requests)
        try container.encode(failedRequests, forKey: .failedRequests)
        try container.encode(cacheHits, forKey: .cacheHits)
        try container.encode(cacheAvoidedUSD, forKey: .cacheAvoidedUSD)
    }
}
