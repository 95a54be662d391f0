import CHiredis
#if canImport(Glibc)
import Glibc
#endif
import SystemSupport

/// One hiredis connection. Not Sendable: it is created, used and freed on a
/// single thread (see `RedisConnectionThread`), so hiredis is never touched
/// from the Swift concurrency pool.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database.
    init(_ configuration: RedisConfiguration, readTimeout: Duration?) throws(RedisError) {
        let timeout = timeval(configuration.connectTimeout)
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout) else {
            throw .unavailable("could not allocate a connection to \(configuration.host):\(configuration.port)")
        }
        if chiredis_err(context) != 0 {
            let reason = String(cString: chiredis_errstr(context))
            redisFree(context)
            throw .unavailable("\(configuration.host):\(configuration.port): \(reason)")
        }
        self.context = context
        if let readTimeout { redisSetTimeout(context, timeval(readTimeout)) }

        var handshake: [[String]] = []
        if let password = configuration.password {
            handshake.append(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if configuration.database != 0 { handshake.append(["SELECT", String(configuration.database)]) }
        guard !handshake.isEmpty else { return }
        for reply in try execute(handshake) {
            if case .error(let message) = reply {
                // A refused password or database is a configuration problem, not a blip.
                throw .unavailable("handshake refused: \(message)")
            }
        }
    }

    deinit { redisFree(context) }

    var fileDescriptor: Int32 { chiredis_fd(context) }

    /// True once hiredis saw an I/O or protocol error; the connection must be dropped.
    var isBroken: Bool { chiredis_err(context) != 0 }

    /// True when the peer closed or sent something unasked for while we were
    /// idle — after a Redis restart every pooled socket looks like this, and
    /// sending on it would fail a command that would otherwise have worked.
    var peerHasHungUp: Bool {
        var pfd = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) != 0
    }

    /// Sends all commands in one write and reads their replies in order.
    /// Error replies come back as `.error` elements; only a broken connection throws.
    func execute(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        for command in commands {
            let status = Self.withArgv(command) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw .connectionLost(errorString) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            replies.append(try readReply())
        }
        return replies
    }

    /// Appends one command without reading (subscriptions), flushing on the next read.
    func append(_ command: [String]) throws(RedisError) {
        let status = Self.withArgv(command) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths)
        }
        if status != REDIS_OK { throw .connectionLost(errorString) }
    }

    /// Blocks until one reply arrives (flushing pending writes first).
    func readReply() throws(RedisError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw .connectionLost(errorString)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return RedisReply(reply)
    }

    /// A reply already read off the socket, if there is one; never blocks.
    func bufferedReply() throws(RedisError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw .connectionLost(errorString) }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Waits up to `timeout` for bytes and reads them into hiredis's buffer.
    /// Returns false when nothing arrived in time.
    func fill(waitingUpTo timeout: Duration) throws(RedisError) -> Bool {
        var pfd = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        let ready: Int32
        do {
            ready = try systemCall("poll") { poll(&pfd, 1, Int32(timeout.milliseconds)) }
        } catch {
            throw .connectionLost(error.description)
        }
        if ready == 0 { return false }
        guard redisBufferRead(context) == REDIS_OK else { throw .connectionLost(errorString) }
        return true
    }

    private var errorString: String {
        let text = String(cString: chiredis_errstr(context))
        return text.isEmpty ? "connection closed" : text
    }

    /// hiredis copies the arguments into its output buffer, so they only need
    /// to live for the duration of the call.
    private static func withArgv(
        _ command: [String],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Int32
    ) -> Int32 {
        let utf8 = command.map { Array($0.utf8) }
        let total = utf8.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        let argv = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(utf8.count, 1))
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: max(utf8.count, 1))
        defer {
            storage.deallocate()
            argv.deallocate()
            lengths.deallocate()
        }
        var offset = 0
        for (i, bytes) in utf8.enumerated() {
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    UnsafeMutableRawPointer(storage + offset).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            argv[i] = UnsafePointer(storage + offset)
            lengths[i] = bytes.count
            offset += bytes.count
        }
        return body(Int32(utf8.count), argv, lengths)
    }
}

extension timeval {
    init(_ duration: Duration) {
        let ms = duration.milliseconds
        self.init(tv_sec: Int(ms / 1000), tv_usec: Int((ms % 1000) * 1000))
    }
}
