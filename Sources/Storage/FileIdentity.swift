import Foundation

/// A file's size and change time, as a strong entity tag: layers are written
/// once by rename and never edited in place, so these change with the bytes.
struct FileIdentity {
    var size: Int
    var entityTag: String

    init(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        entityTag = "\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(UInt64(modified * 1_000_000), radix: 16))\""
    }
}
