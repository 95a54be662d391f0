import CCurl
import Foundation
import SystemSupport

/// One transfer's state. Lives only on its lane's thread (`CurlLane`: created, driven
/// and freed there); libcurl reaches it through the user-data pointer.
final class CurlTransfer {
    let id: UInt64
    let handle: UnsafeMutableRawPointer
    let request: HTTPRequest
    let continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var tooLarge = false
    /// Bytes of the response body received (kept or streamed), for `maxResponseBytes`.
    var received = 0
    /// Whether the body goes to the request's sink: decided at its first byte, when the status is known.
    var streaming: Bool?
    /// Why the sink or the body file stopped the transfer.
    var callbackFailure: String?
    /// The body file's read position, relative to its offset.
    var filePosition: Int64 = 0
    /// Whether `request.onResponseHead` was called.
    var headReported = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    private var requestBody: UnsafeMutableRawBufferPointer?

    init?(_ pending: PendingTransfer) {
        guard let handle = curl_easy_init() else { return nil }
        self.id = pending.id
        self.handle = handle
        self.request = pending.request
        self.continuation = pending.continuation
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        requestBody?.deallocate()
    }

    /// Sets every option; the transfer's address is the callbacks' user data.
    func configure() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout.milliseconds))
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.milliseconds))
        // TLS verification stays on (libcurl's default); made explicit so no one turns it off by accident.
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        // Reads of up to 256 KiB (libcurl's default is 16 KiB): a prediction reply of 4.5 MB was
        // 284 `recv`s and write callbacks, now about 24; 1.2 ms less of the worker's CPU per
        // photo-like job (bench/README.md, "The worker's cost per job"). Held per transfer in flight.
        ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 256 * 1024)
        ccurl_setopt_pointer(handle, CURLOPT_PRIVATE, me)
        ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { list = curl_slist_append(list, "\(header.name): \(header.value)") }
        // No "Expect: 100-continue" round trip before large bodies.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        if !request.connectTo.isEmpty {
            for entry in request.connectTo { connectToList = curl_slist_append(connectToList, entry) }
            ccurl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectToList)
            // Straight to the pinned address: a proxy (https_proxy in the environment) would resolve the name itself.
            ccurl_setopt_string(handle, CURLOPT_NOPROXY, "*")
        }

        if let bytes = request.body {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            requestBody = buffer
            ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, buffer.baseAddress)
        }
        if let file = request.bodyFile {
            // A POST fed by the read callback: libcurl sends Content-Length, not chunked encoding.
            ccurl_setopt_long(handle, CURLOPT_POST, 1)
            ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(file.length))
            ccurl_setopt_read_function(handle, curlReadBodyFile)
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, me)
            ccurl_setopt_seek_function(handle, curlSeekBodyFile)
            ccurl_setopt_pointer(handle, CURLOPT_SEEKDATA, me)
        }
        let hasBody = request.body != nil || request.bodyFile != nil
        if request.method != (hasBody ? "POST" : "GET") {
            ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
    }

    /// Whether the request had begun to go out: libcurl had finished connecting and started the
    /// transfer, or counted request bytes sent. False means the server cannot have seen it.
    var requestBegan: Bool {
        var requestBytes = 0
        var pretransfer: curl_off_t = 0
        ccurl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
        ccurl_getinfo_off(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        return requestBytes > 0 || pretransfer > 0
    }

    /// The outcome once libcurl says the transfer is done.
    func result(_ code: CURLcode) -> Result<HTTPResponse, HTTPTransportError> {
        if tooLarge && !request.truncatesResponse { return .failure(.responseTooLarge(limit: request.maxResponseBytes)) }
        if let callbackFailure { return .failure(.other(callbackFailure)) }
        guard code == CURLE_OK || (tooLarge && code == CURLE_WRITE_ERROR) else { return .failure(error(code)) }
        var responseCode = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        return .success(HTTPResponse(status: responseCode, headers: headers, body: body))
    }

    /// The code's error, corrected by what the code alone cannot tell: whether the request had
    /// gone out (callers bill a call by it). A timeout before any connection is a failure to
    /// connect; an unclassified failure after the request went out is a dropped connection.
    private func error(_ code: CURLcode) -> HTTPTransportError {
        let error = Self.error(code, timeout: request.timeout)
        switch error {
        case .timedOut where !requestBegan: return .connectFailed("timed out before a connection was made")
        case .other(let why) where requestBegan: return .connectionDropped(why)
        default: return error
        }
    }

    static func error(_ code: CURLcode, timeout: Duration = .zero) -> HTTPTransportError {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed(text)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(timeout)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .connectionDropped(text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .tls(text)
        default:
            return .other("\(text) (curl \(code.rawValue))")
        }
    }
}

/// A request waiting to be handed to its lane's thread.
struct PendingTransfer: Sendable {
    let id: UInt64
    let request: HTTPRequest
    let continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>
}

private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if transfer.received + length > transfer.request.maxResponseBytes {
        transfer.tooLarge = true
        return 0  // aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer.received += length
    if transfer.streaming == nil {
        var status = 0
        ccurl_getinfo_long(transfer.handle, CURLINFO_RESPONSE_CODE, &status)
        transfer.streaming = transfer.request.responseSink != nil && (200..<300).contains(status)
        // A body kept whole is given its announced size at once (within the limit): a prediction's
        // megabytes would otherwise be copied into a new array at every doubling.
        var announced: curl_off_t = -1
        if transfer.streaming == false, ccurl_getinfo_off(transfer.handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK,
           announced > 0 {
            transfer.body.reserveCapacity(Int(min(Int64(announced), Int64(transfer.request.maxResponseBytes))))
        }
    }
    if transfer.streaming == true, let sink = transfer.request.responseSink {
        do {
            try sink.consume(UnsafeRawBufferPointer(start: data, count: length))
        } catch {
            transfer.callbackFailure = "writing the response body failed: \(error)"
            return 0
        }
        return length
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

/// The read callback's "stop the transfer" answer.
private let readAbort = Int(CURL_READFUNC_ABORT)

/// Fills libcurl's buffer from the request's body file at the current position.
private func curlReadBodyFile(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return readAbort }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    guard let file = transfer.request.bodyFile else { return readAbort }
    let wanted = Int(min(Int64(size * count), file.length - transfer.filePosition))
    guard wanted > 0 else { return 0 }
    do {
        let read = try systemCall("pread") {
            pread(file.descriptor, buffer, wanted, off_t(file.offset + transfer.filePosition))
        }
        guard read > 0 else {
            transfer.callbackFailure = "the request body file ended \(file.length - transfer.filePosition) bytes early"
            return readAbort
        }
        transfer.filePosition += Int64(read)
        return read
    } catch {
        transfer.callbackFailure = "reading the request body failed: \(error)"
        return readAbort
    }
}

/// libcurl rewinds the body to resend it (a reused connection that turned out closed).
private func curlSeekBodyFile(_ context: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    guard let context, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    guard let file = transfer.request.bodyFile, offset >= 0, Int64(offset) <= file.length else {
        return Int32(CURL_SEEKFUNC_FAIL)
    }
    transfer.filePosition = Int64(offset)
    return Int32(CURL_SEEKFUNC_OK)
}

private func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }.trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        transfer.headers = [:]  // a new response (after 100 Continue or a redirect)
    } else if line.isEmpty, !transfer.headReported, let onResponseHead = transfer.request.onResponseHead {
        // The blank line that ends a response's head; a 1xx one is followed by another response.
        var status = 0
        ccurl_getinfo_long(transfer.handle, CURLINFO_RESPONSE_CODE, &status)
        if status >= 200 {
            transfer.headReported = true
            onResponseHead(status)
        }
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        transfer.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return length
}
