/// Why a job failed (or why its last attempt did), as shown to users.
public struct JobError: Sendable, Codable, Equatable {
    /// snake_case: `gpu_rate_limited`, `invalid_image`, `abandoned`, …
    public var code: String
    public var message: String
    /// The `google.rpc.Status` name from the endpoint, when it sent one.
    public var googleStatus: String?

    public init(code: String, message: String, googleStatus: String? = nil) {
        self.code = code
        self.message = message
        self.googleStatus = googleStatus
    }

    enum CodingKeys: String, CodingKey {
        case code, message
        case googleStatus = "google_status"
    }
}
