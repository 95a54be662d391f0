extension Duration {
    /// Whole milliseconds, rounded down: what poll(2), Redis, libcurl and the
    /// cost records take.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
