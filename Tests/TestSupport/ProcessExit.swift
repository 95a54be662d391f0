import Foundation
import SystemSupport

extension Process {
    /// Waits for the child to exit on a thread of its own. `waitUntilExit` blocks its thread until
    /// Foundation's reaper sees the exit; on the cooperative pool (two threads on these machines)
    /// it would hold back every other test meanwhile.
    public func exited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.startNamed("process-exit") { [self] in
                waitUntilExit()
                continuation.resume()
            }
        }
    }
}
