import CloudStorage
import CurlHTTP
import Foundation
import GoogleAuth
import Synchronization
import TestSupport

/// Records every backoff the client asks for and returns at once; moves a manual clock by it, so
/// deadlines are checked without waiting and without timing assertions.
final class InstantSleeper: Sendable {
    private let state = Mutex<(slept: [Duration], offset: Duration)>(([], .zero))
    private let origin = ContinuousClock.now

    var slept: [Duration] { state.withLock { $0.slept } }

    /// A policy that takes the ceiling of every jitter range (the longest delay), sleeping here.
    func policy(
        initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(32), deadline: Duration = .seconds(120),
        maxAttempts: Int = 6
    ) -> StorageRetryPolicy {
        StorageRetryPolicy(
            initialDelay: initialDelay, maxDelay: maxDelay, deadline: deadline, maxAttempts: maxAttempts,
            random: { $0.upperBound },
            sleep: { [self] delay in state.withLock { $0.slept.append(delay); $0.offset += delay } },
            now: { [self] in origin + state.withLock { $0.offset } })
    }
}

/// An environment with no credentials and a metadata server that cannot answer (a closed loopback
/// port), so only the "endpoint on this machine needs none" rule can make a call work.
func environmentWithoutCredentials() throws -> [String: String] {
    ["GCE_METADATA_HOST": "127.0.0.1:\(try freeLoopbackPort())"]
}

/// A client of `bucket` on `endpoint`, with credentials found as production finds them.
func storageClient(
    endpoint: String, bucket: String = "test-bucket", prefix: String = "", retry: StorageRetryPolicy, http: CurlHTTPClient
) throws -> CloudStorageClient {
    let configuration = CloudStorageConfiguration(
        bucket: bucket, prefix: prefix, endpoint: endpoint, timeout: .seconds(60), connectTimeout: .seconds(5))
    let auth = try StorageCredentials.provider(for: configuration, environment: try environmentWithoutCredentials(), http: http)
    return CloudStorageClient(configuration: configuration, auth: auth, http: http, retry: retry)
}

/// Bytes that differ from position to position, so a shifted or repeated chunk shows.
func patternedBytes(count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) &* 31 &+ $0 >> 8) }
}

/// A folder of its own in the temporary directory.
func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gcs-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// An object resource as Cloud Storage's JSON API answers an upload or a metadata request.
func objectJSON(name: String, size: Int, crc32c: UInt32, generation: Int64 = 1) -> String {
    #"{"kind":"storage#object","name":"\#(name)","bucket":"b","size":"\#(size)","crc32c":"\#(CRC32C.base64(crc32c))","#
        + #""md5Hash":"AAAA","generation":"\#(generation)","contentType":"image/png"}"#
}
