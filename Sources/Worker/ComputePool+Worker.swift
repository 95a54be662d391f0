import Foundation
import SystemSupport

extension ComputePool {
    /// The worker's CPU stages (preparing the upload, decoding the response,
    /// checking the layers): one thread per core, shared by every worker in
    /// the process. Decoding a response goes in lane `.first`.
    static let shared = ComputePool(threads: ProcessInfo.processInfo.activeProcessorCount)
}
