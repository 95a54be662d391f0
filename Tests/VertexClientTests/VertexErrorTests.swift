import Foundation
import Testing
import VertexClient

@Suite struct VertexErrorTests {
    /// 2015-10-21 07:28:00 UTC minus 30 s.
    let now = Date(timeIntervalSince1970: 1_445_412_480 - 30)

    func error(_ status: Int, headers: [String: String] = [:], _ body: String = "") -> VertexError {
        VertexError.fromHTTP(status: status, headers: headers, body: Array(body.utf8), now: now)
    }

    @Test(arguments: [
        (400, VertexErrorClass.final, "bad_request"),
        (401, .final, "unauthorized"),
        (403, .final, "unauthorized"),
        (404, .final, "endpoint_not_found"),
        (409, .final, "bad_request"),
        (413, .final, "request_too_large"),
        (429, .retryable, "gpu_rate_limited"),
        (500, .retryable, "gpu_server_error"),
        (502, .retryable, "gpu_server_error"),
        (503, .retryable, "gpu_unavailable"),
        (504, .retryable, "gpu_timeout"),
        (501, .final, "gpu_server_error"),
    ])
    func classificationTable(status: Int, kind: VertexErrorClass, code: String) {
        let error = error(status)
        #expect(error.kind == kind)
        #expect(error.isRetryable == (kind == .retryable))
        #expect(error.code.rawValue == code)
        #expect(error.httpStatus == status)
        #expect(error.googleStatus == nil)
        #expect(error.retryAfter == nil)
        #expect(error.message.contains("HTTP \(status)"))
    }

    @Test func googleErrorBodyGivesStatusMessageAndRetryInfo() {
        let body = """
            {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
              "message": "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.",
              "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED"},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "4s"}]}}
            """
        let error = error(429, body)
        #expect(error.code == .gpuRateLimited)
        #expect(error.googleStatus == "RESOURCE_EXHAUSTED")
        #expect(error.retryAfter == .seconds(4))
        #expect(error.message
            == "Rate limited by the GPU endpoint (429 RESOURCE_EXHAUSTED): Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.")
        #expect(error.description.contains("gpu_rate_limited"))
    }

    @Test(arguments: [
        ("1.5s", Duration.milliseconds(1500)),
        ("0.250s", .milliseconds(250)),
        ("0.1s", .milliseconds(100)),
        ("30s", .seconds(30)),
        ("0.000000001s", .nanoseconds(1)),
    ])
    func retryDelayDurationStrings(text: String, expected: Duration) {
        let body = #"{"error":{"code":503,"status":"UNAVAILABLE","message":"m","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\#(text)"}]}}"#
        #expect(error(503, body).retryAfter == expected)
    }

    @Test func unparseableRetryDelayIsIgnored() {
        for text in ["4", "-1s", "s", "1.s", "abc", "1.1234567890s"] {
            let body = #"{"error":{"code":503,"status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\#(text)"}]}}"#
            let error = error(503, body)
            #expect(error.retryAfter == nil, "\(text)")
            #expect(error.googleStatus == "UNAVAILABLE")
        }
    }

    @Test func retryAfterSecondsWithAnyHeaderCase() {
        #expect(error(429, headers: ["Retry-After": "7"]).retryAfter == .seconds(7))
        #expect(error(503, headers: ["retry-after": " 12 "]).retryAfter == .seconds(12))
        #expect(error(503, headers: ["RETRY-AFTER": "0"]).retryAfter == .zero)
        #expect(error(503, headers: ["Retry-After": "soon"]).retryAfter == nil)
    }

    @Test func retryAfterHTTPDateIsRelativeToNow() {
        #expect(error(503, headers: ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]).retryAfter == .seconds(30))
        // The obsolete forms a recipient must still accept.
        #expect(error(503, headers: ["Retry-After": "Wednesday, 21-Oct-15 07:28:00 GMT"]).retryAfter == .seconds(30))
        #expect(error(503, headers: ["Retry-After": "Wed Oct 21 07:28:00 2015"]).retryAfter == .seconds(30))
        // A date already past means "now", not a negative wait.
        #expect(error(503, headers: ["Retry-After": "Wed, 21 Oct 2015 07:00:00 GMT"]).retryAfter == .zero)
        #expect(error(503, headers: ["Retry-After": "Wed, 32 Oct 2015 07:28:00 GMT"]).retryAfter == nil)
    }

    @Test func theLongerHintWins() {
        let body = #"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"4s"}]}}"#
        #expect(error(429, headers: ["Retry-After": "10"], body).retryAfter == .seconds(10))
        #expect(error(429, headers: ["Retry-After": "2"], body).retryAfter == .seconds(4))
    }

    @Test func htmlErrorPageBecomesReadableText() {
        let page = """
            <!DOCTYPE html>
            <html><head><title>502 Bad Gateway</title>
            <style>body { color: red; }</style><script>var token = "x";</script></head>
            <body>
              <center><h1>502   Bad Gateway</h1></center>
              <!-- upstream: 10.0.0.7 -->
              <hr><center>nginx/1.25.3 &amp; friends</center>
            </body></html>
            """
        let error = error(502, headers: ["Content-Type": "text/html"], page)
        #expect(error.kind == .retryable)
        #expect(error.message
            == "GPU endpoint server error (HTTP 502 Bad Gateway): 502 Bad Gateway 502 Bad Gateway nginx/1.25.3 & friends")
        #expect(!error.message.contains("<"))
        #expect(!error.message.contains("color"))
        #expect(!error.message.contains("10.0.0.7"))
    }

    @Test func longTextBodyIsCutToAboutTwoHundredCharacters() {
        let body = String(repeating: "upstream connect error or disconnect/reset before headers. ", count: 40)
        let error = error(503, body)
        let detail = error.message.replacingOccurrences(of: "GPU endpoint unavailable (HTTP 503 Service Unavailable): ", with: "")
        #expect(detail.hasPrefix("upstream connect error"))
        #expect(detail.hasSuffix("…"))
        #expect(detail.count <= 201)
        #expect(detail.count > 150)
    }

    @Test func tokensNeverReachTheMessage() {
        let body = "Invalid header Authorization: Bearer ya29.a0AfH6SMBx-secret_token.value seen"
        let error = error(401, body)
        #expect(error.code == .unauthorized)
        #expect(!error.message.contains("ya29"))
        #expect(!error.message.contains("secret_token"))
        #expect(error.message.contains("[redacted]"))

        let json = #"{"error":{"code":403,"status":"PERMISSION_DENIED","message":"key AIzaSyA1234567890abcdefghijklmnopqrstu denied"}}"#
        #expect(!self.error(403, json).message.contains("AIzaSy"))
        #expect(!VertexError.connectionFailed("proxy said Bearer abc.def").message.contains("abc.def"))
    }

    @Test func customContainerErrorStringIsUsed() {
        let error = error(400, #"{"error": "layers must be between 2 and 10"}"#)
        #expect(error.code == .badRequest)
        #expect(error.message == "GPU endpoint rejected the request (HTTP 400 Bad Request): layers must be between 2 and 10")
    }

    /// Reason phrases come from swift-http-types (RFC 9110 wording); a code it does not name shows the number alone.
    @Test func theStatusLabelNamesTheReason() {
        #expect(error(413).message == "Request too large for the GPU endpoint (HTTP 413 Content Too Large)")
        #expect(error(404).message == "GPU endpoint not found (HTTP 404 Not Found)")
        #expect(error(504).message.hasPrefix("GPU call timed out (HTTP 504 Gateway Timeout)"))
        #expect(error(599).message.hasSuffix("(HTTP 599)"))
        #expect(error(503, #"{"error":{"code":503,"status":"UNAVAILABLE","message":"down"}}"#).message
            == "GPU endpoint unavailable (503 UNAVAILABLE): down")
    }

    @Test func transportFailures() {
        let refused = VertexError.connectionFailed("Connection refused")
        #expect(refused.kind == .retryable && refused.code == .connectionFailed && refused.httpStatus == nil)
        #expect(refused.message == "Could not connect to the GPU endpoint: Connection refused")

        let timeout = VertexError.timedOut(after: .seconds(300))
        #expect(timeout.kind == .retryable && timeout.code == .gpuTimeout)
        #expect(timeout.message == "GPU call timed out: no answer within 300 s")

        let dropped = VertexError.connectionDropped("connection reset by peer")
        #expect(dropped.kind == .retryable && dropped.code == .truncatedResponse)
        #expect(dropped.message.contains("connection reset by peer"))

        let malformed = VertexError.malformedResponse("x")
        #expect(malformed.kind == .final && malformed.code == .malformedResponse)
        #expect(VertexError.invalidLayers("y").kind == .final)

        let tooLarge = VertexError.requestTooLarge(bytes: 2_000_000, limit: 1_500_000)
        #expect(tooLarge.kind == .final && tooLarge.code == .requestTooLarge)
        #expect(tooLarge != malformed)
    }
}
