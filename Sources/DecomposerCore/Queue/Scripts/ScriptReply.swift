import Redis

/// A queue script's reply read one way for every script: each answers a tag (`'ok'`,
/// `{'claimed', …}`) and the values after it; anything else is an unexpected reply that
/// names the script.
struct ScriptReply {
    let tag: String
    let values: [RedisReply]
    private let script: String
    private let raw: RedisReply

    init(_ reply: RedisReply, of script: RedisScript) throws(QueueError) {
        self.script = script.name
        raw = reply
        if case .array(let parts) = reply, let tag = parts.first?.string {
            self.tag = tag
            values = Array(parts.dropFirst())
        } else if let tag = reply.string {
            self.tag = tag
            values = []
        } else {
            throw .redis(.unexpectedReply("\(script.name): \(reply)"))
        }
    }

    /// The value `index` places after the tag, as text.
    func string(_ index: Int) throws(QueueError) -> String {
        guard index < values.count, let text = values[index].string else { throw unexpected() }
        return text
    }

    /// The value `index` places after the tag, as an integer (an integer reply or decimal text).
    func integer(_ index: Int) throws(QueueError) -> Int64 {
        guard index < values.count, let number = values[index].int else { throw unexpected() }
        return number
    }

    /// The value `index` places after the tag as a number, or nil when it is '' (none).
    func optionalInteger(_ index: Int) throws(QueueError) -> Int64? {
        if try string(index).isEmpty { return nil }
        return try integer(index)
    }

    /// The error for a reply this script never gives.
    func unexpected() -> QueueError { .redis(.unexpectedReply("\(script): \(raw)")) }
}
