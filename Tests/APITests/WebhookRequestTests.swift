import API
import DecomposerCore
import Foundation
import Testing
import TestSupport

/// `POST /api/decompose` with a webhook: refused targets are a 422 naming why and create nothing;
/// an accepted one is kept on the job and is part of the idempotency fingerprint.
@Suite struct WebhookRequestTests {
    /// Loopback only, as every test environment sets it.
    static let settings = WebhookSettings(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", allowHTTP: true, allowedHosts: ["127.0.0.1"])

    @Test func refusedTargetsAre422NamingWhy() async throws {
        let api = try await APIHarness(webhooks: Self.settings)
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let cases: [(String, String, String)] = [
            (#""https://10.0.0.1/hook""#, "invalid_webhook", "WEBHOOK_ALLOWED_HOSTS"),
            (#""file:///etc/passwd""#, "invalid_webhook", "https://"),
            (#""http://169.254.169.254/latest/meta-data/""#, "invalid_webhook", "WEBHOOK_ALLOWED_HOSTS"),
            (#""http://user:pw@127.0.0.1:9/""#, "invalid_webhook", "user name or password"),
            (#""http://127.0.0.1:9/x", "webhook_events": ["done"]"#, "invalid_field", "webhook_events may hold only"),
            (#""http://127.0.0.1:9/x", "webhook_events": []"#, "invalid_field", "non-empty"),
            ("42", "invalid_field", "webhook must be a URL"),
        ]
        for (webhook, code, mentions) in cases {
            let response = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","webhook":\#(webhook)}"#)
            #expect(response.status == 422, "\(webhook): \(response.text)")
            #expect(response.errorCode == code, "\(webhook): \(response.text)")
            #expect(response.errorMessage?.contains(mentions) == true, "\(webhook): \(response.text)")
        }
        let eventsAlone = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","webhook_events":["failed"]}"#)
        #expect(eventsAlone.status == 422 && eventsAlone.errorCode == "invalid_field")
        #expect(try await api.queue.counts().waiting == 0)
    }

    @Test func withoutASecretWebhooksAreRefusedAsDisabled() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let response = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","webhook":"https://hooks.example.com/x"}"#)
        #expect(response.status == 422 && response.errorCode == "webhooks_disabled", "\(response.text)")
        #expect(response.errorMessage?.contains("WEBHOOK_SECRET") == true)
    }

    @Test func anAcceptedWebhookIsKeptAndIsPartOfTheIdempotencyKey() async throws {
        let api = try await APIHarness(webhooks: Self.settings)
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let body = #"{"file_id":"\#(fileID)","webhook":"http://127.0.0.1:9/hook","webhook_events":["failed","processing"]}"#
        let first = try await api.postJSON("/api/decompose", body, headers: [("Idempotency-Key", "hook-1")])
        #expect(first.status == 202, "\(first.text)")
        let id = try #require((try first.json()["job_id"] as? String).flatMap(UUID.init(uuidString:)))
        let fields = try #require(try await api.queue.storedFields(of: id))
        #expect(fields["webhook"] == "http://127.0.0.1:9/hook")
        #expect(fields["webhook_events"] == "processing,failed")
        let again = try await api.postJSON("/api/decompose", body, headers: [("Idempotency-Key", "hook-1")])
        #expect(again.status == 200)
        let other = #"{"file_id":"\#(fileID)","webhook":"http://127.0.0.1:10/hook","webhook_events":["failed","processing"]}"#
        let conflict = try await api.postJSON("/api/decompose", other, headers: [("Idempotency-Key", "hook-1")])
        #expect(conflict.status == 409, "another receiver under the same key is another request")
        // The job JSON does not carry the webhook (its URL may hold a secret).
        let job = try await api.request("GET", "/api/jobs/\(id.lowercasedString)")
        #expect(!job.text.contains("webhook"))
    }
}
