import HummingbirdWSClient

/// When the CLI's job watch reconnects instead of falling back to polling: on 1013 ("try again
/// later"), the code the API closes a watcher with when it fell too far behind to be sent every
/// version. The new connection's snapshot catches up; the delay grows so a client on a slow link
/// is not closed again at once.
enum WatchReconnect {
    static let closeCode: UInt16 = 1013
    /// Reconnections in a row before polling instead.
    static let limit = 5

    static func reconnects(after close: WebSocketCloseFrame) -> Bool {
        if case .unknown(let value) = close.closeCode { return value == closeCode }
        return false
    }

    static func delay(attempt: Int) -> Duration { .milliseconds(250 << min(attempt - 1, 4)) }
}
