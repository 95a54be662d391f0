import CCurl
import Foundation
import Synchronization
import SystemSupport

/// One thread of `CurlHTTPClient`'s with its own libcurl multi handle: it drives its transfers
/// (never the Swift concurrency pool), many at once, and reuses its connections between requests.
/// Cancelling the awaiting task aborts its transfer within a poll interval.
final class CurlLane: Sendable {
    private struct Inbox {
        var pending: [PendingTransfer] = []
        var cancelled: Set<UInt64> = []
        var shuttingDown = false
        /// Set by the thread just before it frees the multi handle.
        var closed = false
    }

    private let inbox = Mutex(Inbox())
    /// Requests sent through this lane and not answered yet.
    private let inFlight = Atomic<Int>(0)
    private let multi: MultiHandle
    private let nextID = Atomic<UInt64>(1)

    /// - Parameters:
    ///   - maxConnections: connections kept open for reuse.
    ///   - name: the thread's name.
    init(maxConnections: Int, name: String) {
        CurlGlobal.initialize()
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, maxConnections)
        multi = MultiHandle(handle)
        Thread.startNamed(name) { [self] in run() }
    }

    var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Performs the request. Throws `HTTPTransportError` (`.cancelled` when the task was cancelled).
    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A task cancelled before this point gets no transfer: its cancellation handler ran
                // first, when nothing was pending to cancel. Checked under the lock, so a later
                // cancel always finds the transfer pending or started.
                let accepted = inbox.withLock { inbox -> Bool in
                    guard !inbox.shuttingDown, !Task.isCancelled else { return false }
                    inbox.pending.append(PendingTransfer(id: id, request: request, continuation: continuation))
                    return true
                }
                if accepted { wakeUp() } else { continuation.resume(returning: .failure(.cancelled(requestSent: false))) }
            }
        } onCancel: {
            inbox.withLock { _ = $0.cancelled.insert(id) }
            wakeUp()
        }
        return try result.get()
    }

    /// Aborts every transfer and stops the thread.
    func shutdown() {
        inbox.withLock { $0.shuttingDown = true }
        wakeUp()
    }

    /// Under the lock, so it never races the thread freeing the handle.
    private func wakeUp() {
        inbox.withLock { inbox in
            if !inbox.closed { multi.wakeUp() }
        }
    }

    private func run() {
        let handle = multi.handle
        var transfers: [UInt64: CurlTransfer] = [:]
        var running: Int32 = 0
        while true {
            let (pending, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.pending.removeAll()
                    inbox.cancelled.removeAll()
                }
                return (inbox.pending, inbox.cancelled, inbox.shuttingDown)
            }
            for request in pending {
                if cancelled.contains(request.id) || stopping {
                    request.continuation.resume(returning: .failure(.cancelled(requestSent: false)))
                    continue
                }
                guard let transfer = CurlTransfer(request) else {
                    request.continuation.resume(returning: .failure(.other("curl_easy_init failed")))
                    continue
                }
                transfer.configure()
                curl_multi_add_handle(handle, transfer.handle)
                transfers[transfer.id] = transfer
            }
            for id in stopping ? Set(transfers.keys) : cancelled {
                guard let transfer = transfers.removeValue(forKey: id) else { continue }
                curl_multi_remove_handle(handle, transfer.handle)
                transfer.continuation.resume(returning: .failure(.cancelled(requestSent: transfer.requestBegan)))
            }
            if stopping && transfers.isEmpty { break }

            curl_multi_perform(handle, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(handle, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                var raw: UnsafeMutablePointer<CChar>?
                ccurl_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw)
                guard let raw else { continue }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(UnsafeMutableRawPointer(raw)).takeUnretainedValue()
                let result = transfer.result(ccurl_message_result(message))
                curl_multi_remove_handle(handle, easy)
                transfers.removeValue(forKey: transfer.id)
                transfer.continuation.resume(returning: result)
            }
            // Sleeps until a socket is ready, a timeout is due, or wakeUp() is called.
            curl_multi_poll(handle, nil, 0, 1000, nil)
        }
        inbox.withLock { $0.closed = true }
        curl_multi_cleanup(handle)
    }
}

/// The multi handle, shared with other threads only for `curl_multi_wakeup`,
/// which libcurl documents as safe to call from any thread; everything else
/// touches it on the client's own thread.
private struct MultiHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    init(_ handle: UnsafeMutableRawPointer) { self.handle = handle }
    func wakeUp() { curl_multi_wakeup(handle) }
}
