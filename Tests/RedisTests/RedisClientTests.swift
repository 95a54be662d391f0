import Foundation
import Redis
import Testing
import TestSupport

@Suite struct RedisClientTests {
    @Test func sendsCommandsAndDecodesEveryReplyType() async throws {
        let client = try await SharedRedis.server().makeClient()
        defer { client.shutdown() }
        let key = SharedRedis.uniquePrefix() + ":k"
        #expect(try await client.send("SET", key, "héllo") == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk("héllo"))
        #expect(try await client.send("INCR", key + ":n") == .integer(1))
        #expect(try await client.send("GET", key + ":missing") == .null)
        #expect(try await client.send("MGET", key, key + ":missing") == .array([.bulk("héllo"), .null]))
        await #expect(throws: RedisError.self) { try await client.send("INCR", key) }
    }

    @Test func pipelineKeepsOrderAndPerCommandErrors() async throws {
        let client = try await SharedRedis.server().makeClient()
        defer { client.shutdown() }
        let key = SharedRedis.uniquePrefix() + ":p"
        let replies = try await client.pipeline([["SET", key, "a"], ["INCR", key], ["APPEND", key, "b"], ["GET", key]])
        #expect(replies.count == 4)
        #expect(replies[0] == .status("OK"))
        guard case .error(let message) = replies[1] else {
            Issue.record("expected an error reply, got \(replies[1])")
            return
        }
        #expect(message.contains("not an integer"))
        #expect(replies[2] == .integer(2))
        #expect(replies[3] == .bulk("ab"))
    }

    @Test func thousandsOfConcurrentCallersShareFewConnections() async throws {
        let client = try await SharedRedis.server().makeClient(poolSize: 2)
        defer { client.shutdown() }
        let key = SharedRedis.uniquePrefix() + ":counter"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5_000 {
                group.addTask { try await client.send("INCR", key) }
            }
            try await group.waitForAll()
        }
        #expect(try await client.send("GET", key) == .bulk("5000"))
    }

    @Test func scriptsRunBySHAAndSurviveScriptFlush() async throws {
        let client = try await SharedRedis.server().makeClient()
        defer { client.shutdown() }
        let script = RedisScript(name: "add", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")
        let key = SharedRedis.uniquePrefix() + ":s"
        try await client.load([script])
        #expect(try await client.run(script, keys: [key], arguments: ["2"]) == .integer(2))
        try await client.send("SCRIPT", "FLUSH")
        #expect(try await client.run(script, keys: [key], arguments: ["3"]) == .integer(5))
        let broken = RedisScript(name: "broken", source: "return redis.error_reply('nope')")
        await #expect(throws: RedisError.server("ERR nope")) { try await client.run(broken, keys: [], arguments: []) }
    }

    @Test func authenticatesAndSelectsTheDatabaseFromTheURL() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let admin = server.makeClient()
        try await admin.send("CONFIG", "SET", "requirepass", "s3cret")
        admin.shutdown()

        var configuration = try RedisConfiguration(url: "redis://:s3cret@127.0.0.1:\(server.port)/3")
        configuration.connectTimeout = .seconds(1)
        let client = RedisClient(configuration: configuration)
        defer { client.shutdown() }
        try await client.send("SET", "where", "db3")
        #expect(try await client.send("CLIENT", "INFO").string?.contains("db=3") == true)

        let wrong = RedisClient(configuration: try RedisConfiguration(url: "redis://:wrong@127.0.0.1:\(server.port)"))
        defer { wrong.shutdown() }
        await #expect {
            try await wrong.send("PING")
        } throws: { error in
            guard case .unavailable(let why) = error as? RedisError else { return false }
            return why.contains("WRONGPASS") || why.contains("invalid")
        }
    }

    @Test func failsFastWhileDownAndRecoversWithoutBeingRecreated() async throws {
        let server = try await RedisServer.start(appendOnly: true)
        defer { server.stop() }
        let client = server.makeClient()
        defer { client.shutdown() }
        let subscription = client.subscribe(to: ["news"])
        var events = subscription.makeAsyncIterator()
        #expect(await events.next() == .subscribed)

        try await client.send("SET", "kept", "yes")
        server.stop()

        let started = ContinuousClock.now
        for _ in 0..<3 {
            await #expect {
                try await client.send("GET", "kept")
            } throws: { error in
                (error as? RedisError)?.isConnectivity == true
            }
        }
        // A bound that tells failing at once from waiting out the 10 s command timeout three times
        // over, with room for a loaded machine: a hang guard, not a speed target.
        #expect(ContinuousClock.now - started < .seconds(20), "commands must fail fast while Redis is down")

        try await server.restart()
        var value: RedisReply?
        let deadline = ContinuousClock.now + .seconds(60)
        while value == nil, ContinuousClock.now < deadline {
            value = try? await client.send("GET", "kept")
            if value == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(value == .bulk("yes"), "the same client reconnects and the AOF kept the data")

        // The subscriber reconnects too, announces it, and receives again.
        #expect(await events.next() == .subscribed)
        try await client.send("PUBLISH", "news", "back")
        #expect(await events.next() == .message(channel: "news", payload: "back"))
    }

    @Test func cancellingABlockedCommandInterruptsItAtOnce() async throws {
        let client = try await SharedRedis.server().makeClient()
        defer { client.shutdown() }
        let blocking = client.makeBlockingConnection(readTimeout: .seconds(240))
        defer { blocking.close() }
        let key = SharedRedis.uniquePrefix() + ":never"
        let started = ContinuousClock.now
        let waiter = Task { try await blocking.send(["BLPOP", key, "120"]) }
        try await Task.sleep(for: .milliseconds(200))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        // Halfway to the BLPOP's own end, with room for a loaded machine: a hang guard.
        #expect(ContinuousClock.now - started < .seconds(60))

        // The connection is usable again afterwards.
        try await client.send("RPUSH", key, "x")
        #expect(try await blocking.send(["BLPOP", key, "1"]) == .array([.bulk(key), .bulk("x")]))
    }

    @Test func parsesRedisURLs() throws {
        let full = try RedisConfiguration(url: "redis://user:p%40ss@cache.internal:6380/2")
        #expect(full.host == "cache.internal")
        #expect(full.port == 6380)
        #expect(full.username == "user")
        #expect(full.password == "p@ss")
        #expect(full.database == 2)
        #expect(!full.redactedDescription.contains("p@ss"))

        let bare = try RedisConfiguration(url: "redis://localhost")
        #expect(bare.port == 6379 && bare.database == 0 && bare.password == nil)
        let loneSecret = try RedisConfiguration(url: "redis://secret@localhost:7000")
        #expect(loneSecret.password == "secret" && loneSecret.username == nil)

        #expect(throws: RedisURLError.self) { try RedisConfiguration(url: "http://localhost") }
        #expect(throws: RedisURLError.self) { try RedisConfiguration(url: "redis://localhost/notadb") }
        #expect(throws: RedisURLError.self) { try RedisConfiguration(url: "not a url") }
        #expect(throws: RedisURLError.self) { try RedisConfiguration(url: "redis:///0") }
    }
}
