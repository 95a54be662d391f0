import DecomposerCore

/// The accelerators `GPU_TYPE` names, with a Vertex AI online-prediction
/// price per accelerator hour in us-central1 (README "Cost accounting" says
/// where each figure comes from, and which are derived). Vertex bills
/// a deployed node per hour whether or not it serves requests, so the cost
/// this service attributes to a request is its share of that bill, not an
/// invoice line.
public enum GPUType: String, Sendable, CaseIterable {
    case t4 = "T4"
    case l4 = "L4"
    case a100_40GB = "A100_40GB"
    case a100_80GB = "A100_80GB"
    case h100_80GB = "H100_80GB"

    public var usdPerHour: Double {
        switch self {
        case .t4: 0.4025
        case .l4: 0.6440
        case .a100_40GB: 3.3741
        case .a100_80GB: 4.5164
        case .h100_80GB: 11.2660
        }
    }
}

extension GPURate {
    /// The rate from configuration: `GPU_COST_PER_HOUR` when set (an explicit
    /// figure wins), else the list price of `GPU_TYPE`, else the L4's.
    ///
    /// - Throws: `ConfigurationError` naming the accepted `GPU_TYPE` values.
    public static func configured(usdPerHour: Double?, gpuType: String?) throws(ConfigurationError) -> GPURate {
        if let usdPerHour { return GPURate(usdPerHour: usdPerHour) }
        guard let gpuType else { return GPURate(usdPerHour: GPUType.l4.usdPerHour) }
        guard let type = GPUType(rawValue: gpuType.uppercased()) else {
            throw ConfigurationError(
                key: "GPU_TYPE", expected: "one of \(GPUType.allCases.map(\.rawValue).joined(separator: ", "))", actual: gpuType)
        }
        return GPURate(usdPerHour: type.usdPerHour)
    }
}
