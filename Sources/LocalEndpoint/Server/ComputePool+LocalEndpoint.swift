import SystemSupport

extension ComputePool {
    /// The endpoint's CPU work (JSON, base64, decoding, decomposition, PNG
    /// encoding) on ONE thread of its own, first come first served (it uses
    /// one lane), shared by every server in the process (tests start several).
    ///
    /// Why one thread and not the worker's pool or the concurrency pool: a
    /// decomposition takes a core for a good fraction of a second; on the
    /// concurrency pool it would stall every other task of the process (the
    /// HTTP server's, and in tests the worker's), and on the worker's pool it
    /// would hold up the worker's CPU stages. One thread also behaves like the
    /// single model replica it stands in for: requests queue rather than slow
    /// each other down, and the other cores stay free for the worker and API.
    static let localEndpoint = ComputePool(threads: 1, name: "local-endpoint-compute")
}
