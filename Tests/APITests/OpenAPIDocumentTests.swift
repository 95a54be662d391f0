import Foundation
import Testing
import Yams

/// `/openapi.yaml` must describe exactly the routes the server has, with the
/// statuses the contract promises.
@Suite struct OpenAPIDocumentTests {
    /// With ADMIN_API_KEY the admin routes are served too; without it, every route but them.
    @Test(arguments: [false, true]) func theDocumentListsExactlyTheRoutesOfTheRouter(admin: Bool) async throws {
        let api = try await APIHarness(adminAPIKey: admin ? "admin-key" : nil)
        defer { Task { await api.stop() } }
        let document = try await self.document(api)
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where Self.methods.contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let router = api.api.makeRouter()
        try router.validate()
        let served = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        })
        #expect(documented.filter { admin || !$0.contains(" /admin") } == served)
        #expect(documented.contains("GET /admin/api/queue"), "the admin routes are documented either way")
    }

    @Test func everyOperationDocumentsTheStatusesOfTheContract() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let paths = try #require(try await document(api)["paths"] as? [String: Any])
        let contract: [(String, String, [String])] = [
            ("/api/upload", "post", ["201", "400", "401", "413", "415", "422", "503"]),
            ("/api/decompose", "post", ["200", "202", "400", "401", "404", "409", "413", "415", "422", "429", "503"]),
            ("/api/jobs/{job_id}", "get", ["200", "401", "404", "503"]),
            ("/api/jobs/{job_id}", "delete", ["202", "401", "404", "409", "503"]),
            ("/api/jobs/{job_id}/export", "get", ["200", "304", "400", "401", "404", "409", "503"]),
            ("/ws/status/{job_id}", "get", ["101", "401"]),
            ("/results/{job_id}/{filename}", "get", ["200", "304", "404"]),
            ("/api/costs", "get", ["200", "401", "422"]),
            ("/healthz", "get", ["200"]),
            ("/readyz", "get", ["200", "503"]),
            ("/metrics", "get", ["200"]),
            ("/openapi.yaml", "get", ["200"]),
            ("/admin/api/queue", "get", ["200", "401", "404", "503"]),
            ("/admin/api/queue/pause", "post", ["200", "400", "401", "404", "422", "503"]),
            ("/admin/api/jobs/{job_id}", "get", ["200", "400", "401", "404", "503"]),
            ("/admin/api/jobs/{job_id}/cancel", "post", ["200", "400", "401", "404", "409", "503"]),
            ("/admin/api/jobs", "get", ["200", "401", "404", "422", "503"]),
            ("/admin/api/jobs/{job_id}/retry", "post", ["200", "400", "401", "404", "409", "422", "503"]),
            ("/admin/api/dead/retry", "post", ["200", "400", "401", "404", "422", "503"]),
            ("/admin/api/dead/purge", "post", ["200", "400", "401", "404", "422", "503"]),
        ]
        for (path, method, statuses) in contract {
            let operation = (paths[path] as? [String: Any])?[method] as? [String: Any]
            let responses = Set((operation?["responses"] as? [String: Any] ?? [:]).keys)
            #expect(responses.isSuperset(of: statuses), "\(method) \(path): documents \(responses.sorted())")
        }
    }

    @Test func theJobSchemaRequiresEveryKeyTheServerSends() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let document = try await self.document(api)
        let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
        let required = ((schemas["Job"] as? [String: Any])?["required"] as? [String]) ?? []
        let id = try await api.createJob()
        let sent = try await api.request("GET", "/api/jobs/\(id.uuidString)").json().keys
        // A queued job also carries its place in the queue; those fields are sent only while queued.
        #expect(Set(required) == Set(sent).subtracting(["position", "eta_seconds", "waiting_reason"]))
        let properties = ((schemas["Job"] as? [String: Any])?["properties"] as? [String: Any]) ?? [:]
        #expect(Set(properties.keys) == Set(sent))
    }

    /// A method the document does not list for a path the server has is 405 with `Allow` naming
    /// exactly the documented methods (RFC 9110 §15.5.6); an unknown path stays 404.
    @Test func aMethodTheDocumentDoesNotListAnswers405WithTheDocumentedOnesInAllow() async throws {
        let api = try await APIHarness(adminAPIKey: "admin-key")
        defer { Task { await api.stop() } }
        let paths = try #require(try await document(api)["paths"] as? [String: Any])
        var checked = 0
        for (template, item) in paths {
            let documented = Set((item as? [String: Any] ?? [:]).keys.filter(Self.methods.contains).map { $0.uppercased() })
            let path = template.replacingOccurrences(of: "{job_id}", with: UUID().uuidString.lowercased())
                .replacingOccurrences(of: "{filename}", with: "layer_0.png")
            for method in Self.methods.map({ $0.uppercased() }).sorted() where !documented.contains(method) && method != "HEAD" {
                let response = try await api.request(method, path, headers: [("Authorization", "Bearer admin-key")])
                #expect(response.status == 405, "\(method) \(path): \(response.status) \(response.text)")
                #expect(response.errorCode == "method_not_allowed", "\(method) \(path): \(response.text)")
                let allow = Set((response.headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allow == documented, "\(method) \(path): Allow \(response.headers["allow"] ?? "none")")
                checked += 1
            }
        }
        #expect(checked > 20)
        // HEAD over a raw socket: curl would wait for the body a HEAD answer never has.
        let head = try await RawHTTP.exchange(port: api.port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(head.status == 405, "\(head.text)")
        #expect(head.text.lowercased().contains("\r\nallow: get\r\n"), "\(head.text)")
        let unknown = try await api.request("PUT", "/api/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.errorCode == "not_found")
        #expect(unknown.headers["allow"] == nil)
    }

    /// `days` on `/api/costs` is bounded by COST_RETENTION_DAYS; the document states this server's bound.
    @Test func theCostDaysBoundIsTheConfiguredRetention() async throws {
        let api = try await APIHarness(costRetentionDays: 12)
        defer { Task { await api.stop() } }
        let paths = try #require(try await document(api)["paths"] as? [String: Any])
        let get = ((paths["/api/costs"] as? [String: Any])?["get"] as? [String: Any]) ?? [:]
        let days = (get["parameters"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "days" }
        let schema = days?["schema"] as? [String: Any] ?? [:]
        #expect(schema["maximum"] as? Int == 12)
        #expect(schema["default"] as? Int == 7)
        #expect(try await api.request("GET", "/api/costs?days=12").status == 200)
        #expect(try await api.request("GET", "/api/costs?days=13").status == 422)
    }

    private static let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]

    private func document(_ api: APIHarness) async throws -> [String: Any] {
        let response = try await api.request("GET", "/openapi.yaml")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("application/yaml") == true)
        return try #require(try Yams.load(yaml: response.text) as? [String: Any])
    }
}
