/// One way the local endpoint can misbehave on purpose, each imitating
/// something a real Vertex endpoint or the model container does, so that the
/// worker's handling of it can be seen and tested without a GPU.
public enum Fault: String, Sendable, Equatable, CaseIterable {
    /// 429 `RESOURCE_EXHAUSTED` with `Retry-After` (quota or capacity).
    case rateLimited = "rate-limited"
    /// 503 `UNAVAILABLE` (a replica scaling or restarting).
    case unavailable
    /// No answer until the hang duration ends or the server shuts down, well
    /// past any sensible client timeout.
    case hang
    /// 200 with a body that is not the prediction JSON (a broken container).
    case malformedBody = "malformed-body"
    /// 200 with one layer more or fewer than asked for.
    case wrongLayerCount = "wrong-layer-count"
}
