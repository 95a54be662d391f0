/// What `decomposer submit` shows while its job waits: "3 ahead of you, about 40 s" from the
/// message's `position` and `eta_seconds`; nil when the job has no position (not queued, a retry
/// backoff or a budget hold: the job's own message says why then).
enum QueueLine {
    static func text(_ job: [String: Any]) -> String? {
        guard job["status"] as? String == "queued", let position = job["position"] as? Int, position > 0 else { return nil }
        let line = position == 1 ? "next in line" : "\(position - 1) ahead of you"
        guard let eta = job["eta_seconds"] as? Int else { return line }
        return "\(line), about \(eta) s"
    }
}
