import Foundation

/// `file-create --dir DIR [--count N]`: the time to create a small file in
/// DIR, as the worker does five times per job for its layers.
///
/// On ext4 without a journal (as on some VMs), creating a file right after
/// many were deleted is slow: the inode allocator skips inodes deleted in the
/// last one to six minutes and reads each one's inode-table block to find out
/// (`recently_deleted` in fs/ext4/ialloc.c), so the cost grows with the number
/// of recent deletions. The worker figures then measure the filesystem's
/// history as much as the worker; this figure says how much. The files are
/// left in DIR — deleting them would slow whatever runs next.
func fileCreateCase() throws {
    guard let directory = stringOption("--dir") else {
        print("file-create needs --dir DIR")
        exit(2)
    }
    let count = option("--count", 500)
    let folder = "\(directory)/file-create-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let bytes = [UInt8](repeating: 0x2A, count: 1024)
    let started = ContinuousClock.now
    for index in 0..<count {
        let path = "\(folder)/file-\(index)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
    let elapsed = ContinuousClock.now - started
    let microseconds = elapsed / .microseconds(1)
    report("file_create", microseconds / Double(count), "us")
}
