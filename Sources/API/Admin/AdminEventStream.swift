import CostTracker
import DecomposerCore
import Foundation
import Hummingbird

/// `GET /admin/api/events`: the admin page's live view, as server-sent events. `status` (the
/// queue's counts, pauses and today's cost, as `GET /admin/api/queue`) is sent on connecting and
/// again after jobs changed — at most once a `statusInterval`; `job` is each job change (the job
/// JSON of the API). Fed by the watch hub's one subscription to the queue's job events, not by
/// polling. While nothing changes, a status every `refresh` keeps the connection open through
/// proxies and the server's idle timeout, and shows what publishes no job event (a pause or
/// resume with no job waiting, the budget hold ending).
struct AdminEventStream {
    let hub: JobWatchHub
    let status: AdminQueueStatus

    static let statusInterval: Duration = .seconds(1)
    static let refresh: Duration = .seconds(15)

    /// What wakes the writer: a job change, a tick (a status may be due), the end.
    private enum Wake: Sendable {
        case job(String)
        case statusDue
        case tick
        case end
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("/admin/api/events") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream(into: &writer) })
        }
    }

    private func stream(into writer: inout any ResponseBodyWriter) async throws {
        guard let feed = hub.registerFeed() else { return try await writer.finish(nil) }
        defer { hub.unregisterFeed(token: feed.token) }
        try await writer.write(try await statusEvent())
        let (wakes, wake) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(512))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                signals: for await signal in feed.signals {
                    switch signal {
                    case .changed(let rendered): wake.yield(.job(rendered.text))
                    case .resync: wake.yield(.statusDue)
                    case .shutdown: break signals
                    case .place: continue
                    }
                }
                wake.yield(.end)
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: Self.statusInterval)
                    wake.yield(.tick)
                }
            }
            var statusDue = false
            var lastStatus = ContinuousClock.now
            loop: for await event in wakes {
                switch event {
                case .job(let text):
                    try await writer.write(ByteBuffer(string: "event: job\ndata: \(text)\n\n"))
                    statusDue = true
                case .statusDue:
                    statusDue = true
                case .tick:
                    guard statusDue || ContinuousClock.now - lastStatus >= Self.refresh else { continue }
                    statusDue = false
                    lastStatus = .now
                    try await writer.write(try await statusEvent())
                case .end:
                    break loop
                }
            }
            group.cancelAll()
        }
        try await writer.finish(nil)
    }

    private func statusEvent() async throws -> ByteBuffer {
        let json = String(decoding: try AdminJSON.data(try await status.json()), as: UTF8.self)
        return ByteBuffer(string: "event: status\ndata: \(json)\n\n")
    }
}
