import CHiredis

/// A reply from Redis, copied out of hiredis memory so it can cross threads.
///
/// Bulk strings are decoded as UTF-8: everything this project stores in Redis
/// is text (ids, numbers, JSON).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk(String)
    case null
    case array([RedisReply])

    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.text(r))
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(r))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(r))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(r.elements)
            for i in 0..<r.elements {
                if let element = chiredis_reply_element(reply, i) {
                    elements.append(RedisReply(element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard let str = r.str, r.len > 0 else { return "" }
        return str.withMemoryRebound(to: UInt8.self, capacity: r.len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: r.len), as: UTF8.self)
        }
    }
}

extension RedisReply {
    /// The reply as text: bulk and status strings, and integers in decimal.
    public var string: String? {
        switch self {
        case .bulk(let s), .status(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    /// The reply as an integer: integer replies and decimal bulk strings.
    public var int: Int64? {
        switch self {
        case .integer(let i): return i
        case .bulk(let s): return Int64(s)
        default: return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A flat `[field, value, field, value…]` array (HGETALL) as a dictionary.
    public var fieldMap: [String: String]? {
        guard let items = array else { return nil }
        var map: [String: String] = [:]
        map.reserveCapacity(items.count / 2)
        var i = 0
        while i + 1 < items.count {
            if let key = items[i].string, let value = items[i + 1].string { map[key] = value }
            i += 2
        }
        return map
    }
}
