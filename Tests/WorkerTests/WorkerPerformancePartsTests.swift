import DecomposerCore
import Foundation
import ImageCodec
import Storage
import Synchronization
import SystemSupport
import Testing
@testable import VertexClient
@testable import Worker

/// The pieces that keep CPU work off the concurrency pool and slow work off a
/// job's critical path: the compute pool, the prepared-image cache, staged
/// layer files, and what the worker does with an invalid layer.
@Suite struct ComputePoolTests {
    @Test func mapKeepsTheOrderAndThrowsTheFirstFailureInThatOrder() async throws {
        let squares = try await ComputePool.shared.map(Array(0..<20)) { index, value in
            #expect(index == value)
            return value * value
        }
        #expect(squares == (0..<20).map { $0 * $0 })

        struct Failure: Error, Equatable { let index: Int }
        await #expect(throws: Failure(index: 3)) {
            _ = try await ComputePool.shared.map(Array(0..<10)) { index, _ -> Int in
                if index == 3 || index == 7 { throw Failure(index: index) }
                return index
            }
        }
    }

    @Test func theFirstLaneGoesAheadOfWorkAlreadyWaiting() async throws {
        // A pool of its own with one thread, held busy while work queues up behind it.
        let pool = ComputePool(threads: 1)
        let gate = Gate()
        let order = Recorder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run { gate.wait() } }
            try await waitUntil { gate.waiting == 1 }
            for index in 0..<3 {
                group.addTask { try await pool.run { order.append("normal \(index)") } }
                try await waitUntil { pool.backlogCount == index + 1 }
            }
            group.addTask { try await pool.run(.first) { order.append("first") } }
            try await waitUntil { pool.backlogCount == 4 }
            gate.open(1)
            try await group.waitForAll()
        }
        #expect(order.items == ["first", "normal 0", "normal 1", "normal 2"])
    }

    final class Recorder: Sendable {
        private let recorded = Mutex<[String]>([])
        var items: [String] { recorded.withLock { $0 } }
        func append(_ item: String) { recorded.withLock { $0.append(item) } }
    }

    /// Blocks pool threads until opened (a test-only stand-in for long CPU work).
    final class Gate: Sendable {
        private let entered = Atomic<Int>(0)
        private let semaphore = DispatchSemaphore(value: 0)

        var waiting: Int { entered.load(ordering: .relaxed) }

        func wait() {
            entered.add(1, ordering: .relaxed)
            semaphore.wait()
        }

        func open(_ count: Int) {
            for _ in 0..<count { semaphore.signal() }
        }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            if ContinuousClock.now > deadline { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

@Suite struct PreparedImageCacheTests {
    func image(_ size: Int, _ tag: UInt8 = 0) -> PreparedImage {
        PreparedImage(bytes: [UInt8](repeating: tag, count: size), format: .jpeg, width: 1, height: 1, bytesSaved: 0, note: "test")
    }

    func key(_ path: String, modified: Int64 = 1, layers: Int = 5) -> PreparedImageCache.Key {
        .init(path: path, size: 10, modified: modified, resolution: 1024, layers: layers, maxRequestBytes: 1_500_000,
              maxPixels: 50_000_000)
    }

    @Test func keepsTheMostRecentlyUsedWithinItsBytes() {
        let cache = PreparedImageCache(capacityBytes: 300)
        cache.insert(image(100, 1), for: key("a"))
        cache.insert(image(100, 2), for: key("b"))
        cache.insert(image(100, 3), for: key("c"))
        #expect(cache.image(for: key("a")) != nil)  // now the most recent
        cache.insert(image(100, 4), for: key("d"))  // evicts b, the least recently used
        #expect(cache.image(for: key("b")) == nil)
        #expect(cache.image(for: key("a"))?.bytes.count == 100)
        #expect(cache.image(for: key("c")) != nil && cache.image(for: key("d")) != nil)
        cache.insert(image(301), for: key("huge"))
        #expect(cache.image(for: key("huge")) == nil, "larger than the whole cache: not kept")
        #expect(cache.count == 3)
    }

    @Test func anythingTheImageDependsOnIsInTheKey() {
        let cache = PreparedImageCache(capacityBytes: 1000)
        cache.insert(image(10), for: key("a"))
        #expect(cache.image(for: key("a")) != nil)
        #expect(cache.image(for: key("a", modified: 2)) == nil, "the file was replaced")
        #expect(cache.image(for: key("a", layers: 10)) == nil, "the size check counts the layer digits")
    }

    @Test func theFileIdentityChangesWhenTheFileIsReplaced() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([1, 2, 3]).write(to: file)
        let first = try PreparedImageCache.fileIdentity(file)
        #expect(first.size == 3 && first.path == file.path)
        try Data([1, 2, 3, 4]).write(to: file)
        #expect(try PreparedImageCache.fileIdentity(file).size == 4)
        #expect(throws: (any Error).self) { try PreparedImageCache.fileIdentity(file.appendingPathExtension("gone")) }
    }
}

@Suite struct StagedLayerFilesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)")

    func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func stagedFilesAreHiddenUntilCommittedAndDiscardRemovesThem() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = LayerWriter(resultsDirectory: root)
        let pngs: [[UInt8]] = [[1, 2, 3], [4, 5]]
        let job = UUID()
        let set = LayerSet(jobID: job, attempt: 2)
        let folder = root.appendingPathComponent(job.lowercasedString).appendingPathComponent("2")

        let staged = try await writer.stage(pngs, as: set)
        #expect(try contents(folder).allSatisfy { $0.hasPrefix(".") && $0.hasSuffix(".tmp") })
        #expect(try contents(folder).count == 2)
        let results = try await writer.commit(staged, pngs.map { LayerWriter.Layer(png: $0, width: 1, height: 1) })
        #expect(try contents(folder) == ["layer_0.png", "layer_1.png"])
        #expect(results.map(\.url) == ["/results/\(job.lowercasedString)/layer_0.png", "/results/\(job.lowercasedString)/layer_1.png"])
        #expect(try [UInt8](Data(contentsOf: folder.appendingPathComponent("layer_1.png"))) == [4, 5])

        // A second delivery of the same job: discarded staging leaves the committed files alone.
        let again = try await writer.stage([[9], [9]], as: set)
        #expect(try contents(folder).count == 4)
        await writer.discard(again)
        #expect(try contents(folder) == ["layer_0.png", "layer_1.png"])
        #expect(try [UInt8](Data(contentsOf: folder.appendingPathComponent("layer_0.png"))) == [1, 2, 3])
    }
}

@Suite struct InvalidLayerTests {
    @Test func aTruncatedLayerFailsTheJobAndLeavesNoFiles() async throws {
        let harness = try await WorkerHarness { _, request in
            let count = WorkerHarness.layerCount(in: request)
            var layers = (0..<count).map { index in
                (try? ImageEncoder.png(WorkerHarness.gradient(width: 40, height: 30, alpha: true, seed: index))) ?? []
            }
            layers[count - 1].removeLast(20)  // cut inside IEND: the file ends early
            let encoded = layers.map { "\"\(Data($0).base64EncodedString())\"" }.joined(separator: ",")
            return .json(200, #"{"predictions":[{"layers":[\#(encoded)]}]}"#)
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let job = try await harness.withWorkers([try harness.makeWorker()]) { try await harness.waitUntilFinished([id])[0] }
        #expect(job.status == .failed)
        #expect(job.error?.code == "invalid_layers")
        #expect(job.error?.message.contains("layer 2") == true, "\(job.error?.message ?? "")")
        let folder = harness.results.appendingPathComponent(id.lowercasedString)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(left.isEmpty, "staged files are removed: \(left)")
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 1, "the call reached the endpoint and is billed")
    }
}
