import Foundation
import Synchronization
import VertexClient

/// The last few prepared request images, so preparing the same upload again
/// costs nothing: the next attempt of a job after a 429 or 503 when this
/// worker claims it again, or another decomposition of the same poster (a
/// different layer count is a different entry). Decoding, downscaling and
/// re-encoding an upload is half of a job's CPU time in this process.
///
/// Entries are keyed by everything the result depends on: the upload's path
/// (or object name), size and version — modification time, or the object's
/// generation (uploads are never rewritten, but a file put back under the
/// same name is then a different entry) — and the job's
/// resolution, layer count (the request-size check counts its digits) and
/// the worker's size and pixel limits. Bounded by total bytes, least
/// recently used first out; failures are not kept.
///
/// Jobs that miss at the same moment each prepare the image; the last insert
/// wins. Deliberately not coalesced: making them wait for one preparation
/// releases them to the endpoint in lockstep, and their answers then queue
/// for the CPU together.
final class PreparedImageCache: Sendable {
    struct Key: Hashable, Sendable {
        let path: String
        let size: Int
        let modified: Int64
        let resolution: Int
        let layers: Int
        let maxRequestBytes: Int
        let maxPixels: Int
    }

    /// Total image bytes kept; an image larger than this is not kept at all.
    let capacityBytes: Int

    private struct State {
        var entries: [Key: (image: PreparedImage, lastUse: UInt64)] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    var count: Int { state.withLock { $0.entries.count } }

    func image(for key: Key) -> PreparedImage? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            state.clock += 1
            state.entries[key] = (entry.image, state.clock)
            return entry.image
        }
    }

    func insert(_ image: PreparedImage, for key: Key) {
        let size = image.bytes.count
        guard size <= capacityBytes else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.image.bytes.count }
            // A linear scan per eviction: the cache holds tens of entries at most.
            while state.bytes + size > capacityBytes,
                  let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries.removeValue(forKey: oldest.key)
                state.bytes -= oldest.value.image.bytes.count
            }
            state.clock += 1
            state.entries[key] = (image, state.clock)
            state.bytes += size
        }
    }

    /// The upload's identity for a key: path, size and modification time
    /// (one `stat`; call it off the concurrency pool).
    static func fileIdentity(_ file: URL) throws -> (path: String, size: Int, modified: Int64) {
        var info = stat()
        guard stat(file.path, &info) == 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file.path])
        }
        #if os(Linux)
        let time = info.st_mtim
        #else
        let time = info.st_mtimespec
        #endif
        let modified = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        return (file.path, Int(info.st_size), modified)
    }
}
