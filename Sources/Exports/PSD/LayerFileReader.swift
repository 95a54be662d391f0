#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// Reads a layer file's bytes with plain, `EINTR`-safe system calls: all of them (to decode), or the
/// first few (to probe the header without reading the whole file).
enum LayerFileReader {
    static func contents(of path: String, limit: Int = .max) throws -> [UInt8] {
        let descriptor = try systemCall("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(descriptor) }
        var status = stat()
        try systemCall("fstat", path: path) { fstat(descriptor, &status) }
        let size = min(Int(status.st_size), limit)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = try bytes.withUnsafeMutableBytes { raw in
                try systemCall("read", path: path) { read(descriptor, raw.baseAddress! + done, size - done) }
            }
            if count == 0 { break }  // the file shrank while being read
            done += count
        }
        return done == size ? bytes : Array(bytes.prefix(done))
    }
}
