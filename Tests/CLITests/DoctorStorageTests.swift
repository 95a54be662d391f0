import CurlHTTP
import Foundation
import Testing
import TestSupport

/// `decomposer doctor` with `STORAGE_BACKEND=gcs`: the bucket must exist and take a write; when it
/// does not, one line says what is wrong and the exit code is 1 (2 for a missing setting).
@Suite struct DoctorStorageTests {
    @Test func aWritableBucketPassesAndLeavesNoProbeBehind() async throws {
        let gcs = try await FakeGCSServer.start()
        defer { gcs.stop() }
        try await gcs.createBucket("doctor-ok")
        let result = try await doctor(endpoint: gcs.endpoint, bucket: "doctor-ok")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("storage  ok  gcs (bucket doctor-ok"))
        let http = CurlHTTPClient(maxConnections: 1)
        defer { http.shutdown() }
        let listing = try await http.send(HTTPRequest(url: "\(gcs.endpoint)/storage/v1/b/doctor-ok/o"))
        #expect(listing.status == 200)
        #expect(!String(decoding: listing.body, as: UTF8.self).contains("doctor-probe"), "the probe object was deleted")
    }

    @Test func aMissingBucketIsOneLineAndExitCode1() async throws {
        let gcs = try await FakeGCSServer.start()
        defer { gcs.stop() }
        let result = try await doctor(endpoint: gcs.endpoint, bucket: "no-such-bucket")
        #expect(result.status == 1)
        #expect(result.standardError.contains("bucket no-such-bucket does not exist"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test func anEndpointWhereNothingListensIsOneLineAndExitCode1() async throws {
        let closed = try ClosedLoopbackPort()
        defer { withExtendedLifetime(closed) {} }
        let result = try await doctor(endpoint: closed.url, bucket: "any")
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot reach Cloud Storage"), "\(result.standardError)")
        #expect(result.standardError.contains("GCS_API_ENDPOINT"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test func aKeyWithoutPermissionIsOneLineAndExitCode1() async throws {
        let forbidding = try TestHTTPServer { _ in
            .json(403, #"{"error":{"code":403,"message":"layers@p.iam.gserviceaccount.com does not have storage.objects.list access","errors":[]}}"#)
        }
        defer { forbidding.stop() }
        let result = try await doctor(endpoint: forbidding.baseURL, bucket: "locked")
        #expect(result.status == 1)
        #expect(result.standardError.contains("no permission to write to bucket locked"), "\(result.standardError)")
        #expect(result.standardError.contains("does not have storage.objects.list access"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test func gcsWithoutABucketIsAConfigurationErrorNamingTheKey() async throws {
        let result = try await runDecomposer(["doctor"], environment: ["STORAGE_BACKEND": "gcs"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("GCS_BUCKET"), "\(result.standardError)")
    }

    private func doctor(endpoint: String, bucket: String) async throws -> ProcessResult {
        let redis = try await SharedRedis.server()
        return try await runDecomposer(["doctor"], environment: [
            "REDIS_URL": redis.url, "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("cli"),
            "STORAGE_BACKEND": "gcs", "GCS_BUCKET": bucket, "GCS_API_ENDPOINT": endpoint,
            "GCS_RETRY_DEADLINE_SECONDS": "1", "GCE_METADATA_HOST": "127.0.0.1:\(try freeLoopbackPort())",
        ])
    }
}
