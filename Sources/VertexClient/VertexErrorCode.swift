/// Why a prediction call failed, as a stable key: stored with a failed job as `error.code`
/// (its raw value), and what the worker's control flow switches on.
public enum VertexErrorCode: String, Sendable, Equatable, CaseIterable {
    case gpuRateLimited = "gpu_rate_limited"
    case gpuServerError = "gpu_server_error"
    case gpuUnavailable = "gpu_unavailable"
    case gpuTimeout = "gpu_timeout"
    case badRequest = "bad_request"
    case unauthorized
    case endpointNotFound = "endpoint_not_found"
    case requestTooLarge = "request_too_large"
    case unexpectedStatus = "unexpected_status"
    case connectionFailed = "connection_failed"
    case truncatedResponse = "truncated_response"
    case malformedResponse = "malformed_response"
    case invalidLayers = "invalid_layers"
    case authFailed = "auth_failed"
    case tlsFailed = "tls_failed"
    case invalidImage = "invalid_image"

    /// A few words on what went wrong, without server detail.
    var summary: String {
        switch self {
        case .gpuRateLimited: return "Rate limited by the GPU endpoint"
        case .gpuUnavailable: return "GPU endpoint unavailable"
        case .gpuServerError: return "GPU endpoint server error"
        case .gpuTimeout: return "GPU call timed out"
        case .connectionFailed: return "Could not connect to the GPU endpoint"
        case .truncatedResponse: return "GPU endpoint response was cut short"
        case .badRequest: return "GPU endpoint rejected the request"
        case .unauthorized: return "Not authorized to call the GPU endpoint"
        case .endpointNotFound: return "GPU endpoint not found"
        case .requestTooLarge: return "Request too large for the GPU endpoint"
        case .malformedResponse: return "GPU endpoint returned a malformed response"
        case .invalidLayers: return "GPU endpoint returned invalid layers"
        case .unexpectedStatus, .authFailed, .tlsFailed, .invalidImage: return "GPU call failed"
        }
    }

    /// Failures that surely happen before a request reaches the endpoint (no connection, no
    /// credentials, TLS refused, refused before sending), so no GPU time can have been spent.
    var isBeforeSending: Bool {
        switch self {
        case .connectionFailed, .authFailed, .tlsFailed, .requestTooLarge, .invalidImage: return true
        default: return false
        }
    }
}
