/// A Lua script known by name. The client loads it once (SCRIPT LOAD), calls
/// it by SHA, and falls back to EVAL when Redis answers NOSCRIPT (after a
/// restart or SCRIPT FLUSH).
public struct RedisScript: Sendable, Hashable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

extension RedisClient {
    /// Loads scripts up front (a process at start-up, `decomposer doctor`); `run` loads a
    /// script on its first use anyway, and again after Redis answers NOSCRIPT.
    public func load(_ scripts: [RedisScript]) async throws(RedisError) {
        let replies = try await pipeline(scripts.map { ["SCRIPT", "LOAD", $0.source] })
        for (script, reply) in zip(scripts, replies) {
            guard case .bulk(let sha) = reply else {
                throw .server("loading script '\(script.name)': \(reply)")
            }
            scriptHashes.withLock { $0[script.name] = sha }
        }
    }

    /// Runs a script; a Lua error reply throws `RedisError.server`.
    @discardableResult
    public func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        var sha = scriptHashes.withLock { $0[script.name] }
        if sha == nil {
            try await load([script])
            sha = scriptHashes.withLock { $0[script.name] }
        }
        let tail = [String(keys.count)] + keys + arguments
        let reply = try await pipeline([["EVALSHA", sha ?? ""] + tail])[0]
        if case .error(let message) = reply {
            guard message.hasPrefix("NOSCRIPT") else { throw .server(message) }
            // EVAL also caches the script again, so the next EVALSHA works.
            return try await send(["EVAL", script.source] + tail)
        }
        return reply
    }
}
