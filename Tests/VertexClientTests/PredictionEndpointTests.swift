import Foundation
import Testing
import VertexClient

@Suite struct PredictionEndpointTests {
    @Test func defaultBaseIsTheRegionalHost() throws {
        let endpoint = try PredictionEndpoint(projectID: "poster-123", location: "us-central1", endpointID: "456")
        #expect(endpoint.url.absoluteString
            == "https://us-central1-aiplatform.googleapis.com/v1/projects/poster-123/locations/us-central1/endpoints/456:predict")
        #expect(endpoint.baseURLOverride == nil)
    }

    @Test func overrideReplacesTheBaseWithOrWithoutTrailingSlash() throws {
        let expected = "http://127.0.0.1:8080/v1/projects/p/locations/europe-west4/endpoints/e:predict"
        for base in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080//"] {
            let endpoint = try PredictionEndpoint(
                projectID: "p", location: "europe-west4", endpointID: "e", baseURL: URL(string: base)!)
            #expect(endpoint.url.absoluteString == expected, "base \(base)")
        }
    }

    @Test func overrideKeepsAPathPrefix() throws {
        let endpoint = try PredictionEndpoint(
            projectID: "p", location: "us-central1", endpointID: "e", baseURL: URL(string: "https://proxy.example/vertex/")!)
        #expect(endpoint.url.absoluteString
            == "https://proxy.example/vertex/v1/projects/p/locations/us-central1/endpoints/e:predict")
    }

    @Test func idsCannotChangeThePathShape() throws {
        let endpoint = try PredictionEndpoint(projectID: "a/b", location: "us-central1", endpointID: "1 2")
        #expect(endpoint.url.absoluteString.contains("/projects/a%2Fb/locations/"))
        #expect(endpoint.url.absoluteString.hasSuffix("/endpoints/1%202:predict"))
    }

    @Test(arguments: [
        (String?.none, String?("456"), "VERTEX_AI_PROJECT_ID"),
        ("", "456", "VERTEX_AI_PROJECT_ID"),
        ("  ", "456", "VERTEX_AI_PROJECT_ID"),
        ("poster-123", nil, "VERTEX_AI_ENDPOINT_ID"),
        ("poster-123", "", "VERTEX_AI_ENDPOINT_ID"),
    ])
    func missingIDsNameTheSetting(projectID: String?, endpointID: String?, setting: String) {
        #expect(throws: PredictionEndpointError.missingSetting(setting)) {
            try PredictionEndpoint(projectID: projectID, location: "us-central1", endpointID: endpointID)
        }
        do {
            _ = try PredictionEndpoint(projectID: projectID, location: "us-central1", endpointID: endpointID)
        } catch {
            #expect(error.setting == setting)
            #expect(error.description.contains(setting))
        }
    }

    @Test func badLocationOrBaseIsNamed() {
        #expect(throws: PredictionEndpointError.self) {
            try PredictionEndpoint(projectID: "p", location: "us-central1.evil.example/", endpointID: "e")
        }
        do {
            _ = try PredictionEndpoint(projectID: "p", location: "us-central1", endpointID: "e", baseURL: URL(string: "ftp://x")!)
            Issue.record("an ftp base was accepted")
        } catch {
            #expect(error.setting == "VERTEX_AI_API_ENDPOINT")
        }
    }
}
