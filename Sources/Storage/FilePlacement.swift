import Foundation
import SystemSupport

/// Puts an existing file in a second place without copying its bytes where the filesystem allows:
/// a hard link (a flushed copy across filesystems or where links are refused), made under a
/// temporary name and renamed into place, so a reader never sees half a file. For the result
/// cache's copies and for a split layer's upload. Blocking: run it inside `BlockingIO`.
enum FilePlacement {
    /// Places `original` at `destination` through `temporary` (in the same folder as `destination`).
    /// - Throws: `missing` when `original` does not exist.
    static func linkOrCopy(_ original: String, to destination: String, through temporary: String, missing: StorageError) throws {
        do {
            try systemCall("link", path: original) { link(original, temporary) }
        } catch {
            switch error.code {
            case ENOENT: throw missing
            case EXDEV, EPERM, EMLINK: try copyFlushed(original, to: temporary, missing: missing)
            default: throw error
            }
        }
        do {
            try systemCall("rename", path: destination) { rename(temporary, destination) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func copyFlushed(_ original: String, to temporary: String, missing: StorageError) throws {
        guard let bytes = FileManager.default.contents(atPath: original) else { throw missing }
        let descriptor = try systemCall("open", path: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        defer { close(descriptor) }
        do {
            try bytes.withUnsafeBytes { try writeAll(descriptor, $0, path: temporary) }
            try systemCall("fsync", path: temporary) { fsync(descriptor) }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
