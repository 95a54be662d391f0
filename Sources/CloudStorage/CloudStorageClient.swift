import CurlHTTP
import Foundation
import GoogleAuth

/// Google Cloud Storage's JSON API over the project's libcurl client: objects uploaded (from memory
/// or streamed from a file), downloaded (into bounded memory or streamed to a file), described,
/// listed and deleted in one bucket under one prefix.
///
/// Every call is retried as `StorageRetryPolicy` says (transient failures of idempotent requests
/// only), refreshes its token once after a 401, and checks CRC-32C end to end: what an upload sent
/// against the `crc32c` Cloud Storage stored, what a download received against `x-goog-hash`.
/// Errors are `CloudStorageError`, so a caller can tell an outage from a missing object from a
/// permission problem.
public final class CloudStorageClient: Sendable {
    public let configuration: CloudStorageConfiguration
    public let auth: any AccessTokenProvider
    public let retry: StorageRetryPolicy
    let http: CurlHTTPClient

    /// Replies other than object bytes (metadata, listings, errors) are small.
    static let maxReplyBytes = 16 << 20

    public init(
        configuration: CloudStorageConfiguration, auth: any AccessTokenProvider, http: CurlHTTPClient,
        retry: StorageRetryPolicy = StorageRetryPolicy()
    ) {
        self.configuration = configuration
        self.auth = auth
        self.http = http
        self.retry = retry
    }

    // MARK: Uploads

    /// Writes `bytes` as the object `name` (a media upload) and returns what Cloud Storage stored.
    /// - Throws: `.integrityMismatch` when the stored size or CRC-32C differs from what was sent.
    public func upload(
        _ bytes: [UInt8], as name: String, contentType: String, idempotency: UploadIdempotency
    ) async throws(CloudStorageError) -> StoredObject {
        let crc = CRC32C.checksum(bytes)
        let response = try await perform(
            "upload of \(name)", idempotent: idempotency.allowsRetry
        ) { headers in
            HTTPRequest(
                method: "POST", url: uploadURL(name, idempotency: idempotency),
                headers: headers + [("Content-Type", contentType)], body: bytes,
                timeout: configuration.timeout, connectTimeout: configuration.connectTimeout,
                maxResponseBytes: Self.maxReplyBytes)
        }
        return try stored(response, name: name, sentBytes: Int64(bytes.count), sentCRC: crc)
    }

    /// Writes the file at `path` as the object `name`, streamed from the disk as it is sent (never
    /// loaded whole). Its CRC-32C is computed first, off the concurrency pool.
    public func upload(
        fileAt path: String, as name: String, contentType: String, idempotency: UploadIdempotency
    ) async throws(CloudStorageError) -> StoredObject {
        let file = try await LocalFile.openForUpload(path)
        defer { close(file.descriptor) }
        let response = try await perform(
            "upload of \(name)", idempotent: idempotency.allowsRetry
        ) { headers in
            HTTPRequest(
                method: "POST", url: uploadURL(name, idempotency: idempotency),
                headers: headers + [("Content-Type", contentType)], timeout: configuration.timeout,
                connectTimeout: configuration.connectTimeout, maxResponseBytes: Self.maxReplyBytes,
                bodyFile: HTTPBodyFile(descriptor: file.descriptor, length: file.size))
        }
        return try stored(response, name: name, sentBytes: file.size, sentCRC: file.crc32c)
    }

    // MARK: Downloads

    /// The object's bytes, at most `maxBytes` of them.
    /// - Throws: `.notFound`, `.objectTooLarge`, `.integrityMismatch` (CRC-32C against `x-goog-hash`).
    public func download(_ name: String, maxBytes: Int) async throws(CloudStorageError) -> [UInt8] {
        let response = try await perform("download of \(name)", idempotent: true) { headers in
            HTTPRequest(
                url: mediaURL(name), headers: headers, timeout: configuration.timeout,
                connectTimeout: configuration.connectTimeout, maxResponseBytes: maxBytes)
        }
        try GoogleHash.verify(response.headers, received: CRC32C.checksum(response.body), name: name)
        return response.body
    }

    /// Streams the object into the file at `path` (created or truncated; a retry starts it over) and
    /// returns its size. On failure the file is removed, so no partial object is left looking whole.
    @discardableResult
    public func download(_ name: String, toFileAt path: String, maxBytes: Int = 1 << 40) async throws(CloudStorageError)
        -> Int64
    {
        let writer = try await DownloadFileWriter.create(path)
        do {
            let response = try await perform(
                "download of \(name)", idempotent: true,
                beforeAttempt: { () async throws(CloudStorageError) in try await writer.restart() },
                request: { headers in
                    HTTPRequest(
                        url: mediaURL(name), headers: headers, timeout: configuration.timeout,
                        connectTimeout: configuration.connectTimeout, maxResponseBytes: maxBytes,
                        responseSink: writer.sink)
                })
            let (size, crc) = writer.written
            try GoogleHash.verify(response.headers, received: crc, name: name)
            writer.close()
            return size
        } catch {
            writer.close()
            unlink(path)
            throw error
        }
    }

    // MARK: Metadata, listing, deletion

    /// The object's size, CRC-32C, MD5 and generation. - Throws: `.notFound` when it does not exist.
    public func metadata(_ name: String) async throws(CloudStorageError) -> StoredObject {
        let response = try await perform("metadata of \(name)", idempotent: true) { headers in
            HTTPRequest(
                url: objectURL(name), headers: headers, timeout: configuration.timeout,
                connectTimeout: configuration.connectTimeout, maxResponseBytes: Self.maxReplyBytes)
        }
        return try StoredObject.decode(response.body, removingPrefix: configuration.prefix)
    }

    /// Deletes the object; false when there was none (also when a retried delete had already
    /// succeeded), so deleting is safe to repeat.
    @discardableResult
    public func delete(_ name: String) async throws(CloudStorageError) -> Bool {
        do {
            _ = try await perform("deletion of \(name)", idempotent: true) { headers in
                HTTPRequest(
                    method: "DELETE", url: objectURL(name), headers: headers, timeout: configuration.timeout,
                    connectTimeout: configuration.connectTimeout, maxResponseBytes: Self.maxReplyBytes)
            }
            return true
        } catch .notFound {
            return false
        }
    }

    /// One page of the objects whose names start with `prefix` (after the client's own prefix), in
    /// name order.
    public func listPage(prefix: String, pageToken: String? = nil, pageSize: Int = 1000) async throws(CloudStorageError)
        -> ObjectPage
    {
        var query = [("prefix", configuration.prefix + prefix), ("maxResults", String(pageSize))]
        if let pageToken { query.append(("pageToken", pageToken)) }
        let url = "\(configuration.endpoint)/storage/v1/b/\(URLParts.encode(configuration.bucket))/o?"
            + URLParts.query(query)
        let response = try await perform("listing of \(prefix)", idempotent: true) { headers in
            HTTPRequest(
                url: url, headers: headers, timeout: configuration.timeout,
                connectTimeout: configuration.connectTimeout, maxResponseBytes: Self.maxReplyBytes)
        }
        return try ObjectPage.decode(response.body, removingPrefix: configuration.prefix)
    }

    /// Every object whose name starts with `prefix`, following the pages.
    public func list(prefix: String, pageSize: Int = 1000) async throws(CloudStorageError) -> [StoredObject] {
        var objects: [StoredObject] = []
        var token: String?
        repeat {
            let page = try await listPage(prefix: prefix, pageToken: token, pageSize: pageSize)
            objects += page.objects
            token = page.nextPageToken
        } while token != nil
        return objects
    }

    // MARK: URLs

    private var bucketPath: String { "storage/v1/b/\(URLParts.encode(configuration.bucket))" }

    func objectURL(_ name: String) -> String {
        "\(configuration.endpoint)/\(bucketPath)/o/\(URLParts.encode(configuration.prefix + name))"
    }

    func mediaURL(_ name: String) -> String { objectURL(name) + "?alt=media" }

    func uploadURL(_ name: String, idempotency: UploadIdempotency) -> String {
        var query = [("uploadType", "media"), ("name", configuration.prefix + name)]
        if case .ifGenerationMatch(let generation) = idempotency {
            query.append(("ifGenerationMatch", String(generation)))
        }
        return "\(configuration.endpoint)/upload/\(bucketPath)/o?" + URLParts.query(query)
    }

    /// The upload's reply, checked against what was sent.
    private func stored(
        _ response: HTTPResponse, name: String, sentBytes: Int64, sentCRC: UInt32
    ) throws(CloudStorageError) -> StoredObject {
        let object = try StoredObject.decode(response.body, removingPrefix: configuration.prefix)
        guard object.size == sentBytes else {
            throw .integrityMismatch("\(name): sent \(sentBytes) bytes, Cloud Storage stored \(object.size)")
        }
        guard let storedCRC = object.crc32c else { throw .malformedReply("the upload reply for \(name) has no crc32c") }
        guard storedCRC == sentCRC else {
            throw .integrityMismatch(
                "\(name): sent crc32c \(CRC32C.base64(sentCRC)), Cloud Storage stored \(CRC32C.base64(storedCRC))")
        }
        return object
    }
}
