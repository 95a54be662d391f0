import Foundation
import SystemSupport
import Testing

/// `Thread.startNamed`: the name is what the kernel shows for the thread (`top -H`, `perf`), cut at 15 bytes.
@Suite struct ThreadNameTests {
    @Test func aThreadStartedNamedHasThatNameInTheKernel() async {
        for (name, shown) in [("redis-conn", "redis-conn"), ("a-name-longer-than-fifteen", "a-name-longer-t")] {
            let seen = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
                Thread.startNamed(name) {
                    let comm = FileHandle(forReadingAtPath: "/proc/thread-self/comm")?.readDataToEndOfFile() ?? Data()
                    continuation.resume(returning: String(decoding: comm, as: UTF8.self).trimmingCharacters(in: .newlines))
                }
            }
            #expect(seen == shown)
        }
    }
}
