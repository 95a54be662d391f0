import DecomposerCore
import Foundation
import Synchronization
import Testing
import TestSupport
import Worker

/// The call slot frees when the endpoint starts its answer, not when the last byte of the layers is in.
@Suite struct WorkerCallSlotTests {
    @Test func theNextCallGoesOutWhileTheLastAnswersLayersAreStillArriving() async throws {
        let secondCall = DispatchSemaphore(value: 0)
        let heldUntilTheSecondCall = Mutex<Bool?>(nil)
        let harness = try await WorkerHarness { number, request in
            let answer = WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
            guard number == 1, case .respond(let status, let headers, let body, _) = answer else {
                secondCall.signal()
                return answer
            }
            // The first answer's head goes out; its body waits (at most 10 s) for the next call.
            return .headThenBody(status: status, headers: headers, body: body) {
                let arrived = secondCall.wait(timeout: .now() + 10) == .success
                heldUntilTheSecondCall.withLock { $0 = arrived }
            }
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(2)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 1)]) {
            try await harness.waitUntilFinished(ids)
        }
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(heldUntilTheSecondCall.withLock { $0 } == true, "the second call went out during the first answer's body")
        #expect(harness.endpoint.maxConcurrentRequests == 1, "one call at a time")
    }
}
