import Foundation

/// Where predictions are sent:
/// `POST {base}/v1/projects/{project}/locations/{location}/endpoints/{endpointID}:predict`.
///
/// The URL is built and checked once, when the endpoint is created, so a
/// misconfiguration is reported at start-up with the name of the setting to
/// fix instead of failing every job later. `base` is
/// `https://{location}-aiplatform.googleapis.com`, or the override
/// (`VERTEX_AI_API_ENDPOINT`) used for the local CPU endpoint and for tests.
public struct PredictionEndpoint: Sendable, Equatable {
    /// `VERTEX_AI_PROJECT_ID`: project ID or number.
    public let projectID: String
    /// `VERTEX_AI_LOCATION`, e.g. `us-central1`; also part of the default host name.
    public let location: String
    /// `VERTEX_AI_ENDPOINT_ID`.
    public let endpointID: String
    /// `VERTEX_AI_API_ENDPOINT`: replaces the default base when set.
    public let baseURLOverride: URL?
    /// The full `:predict` URL.
    public let url: URL

    /// Takes optionals so configuration values can be passed straight in; an
    /// absent or blank ID is reported as the missing setting.
    public init(
        projectID: String?, location: String, endpointID: String?, baseURL: URL? = nil
    ) throws(PredictionEndpointError) {
        let project = Self.trimmed(projectID)
        let endpoint = Self.trimmed(endpointID)
        let location = Self.trimmed(location)
        guard !project.isEmpty else { throw .missingSetting("VERTEX_AI_PROJECT_ID") }
        guard !location.isEmpty else { throw .missingSetting("VERTEX_AI_LOCATION") }
        guard !endpoint.isEmpty else { throw .missingSetting("VERTEX_AI_ENDPOINT_ID") }
        // The location becomes part of a host name, so only what a DNS label allows.
        guard location.unicodeScalars.allSatisfy({ Self.locationCharacters.contains($0) }) else {
            throw .invalidSetting(
                key: "VERTEX_AI_LOCATION", value: location,
                expected: "a region such as us-central1 (lowercase letters, digits, hyphens)")
        }

        let base = baseURL ?? URL(string: "https://\(location)-aiplatform.googleapis.com")
        guard let base, let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https",
              var components = URLComponents(url: base, resolvingAgainstBaseURL: true),
              components.host?.isEmpty == false
        else {
            throw .invalidSetting(
                key: "VERTEX_AI_API_ENDPOINT", value: baseURL?.absoluteString ?? location,
                expected: "an http:// or https:// URL with a host")
        }
        // A base may carry a path prefix (a proxy); its trailing slashes are dropped
        // so `…/` and `…` give the same URL.
        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        components.percentEncodedPath = prefix
            + "/v1/projects/\(Self.segment(project))/locations/\(Self.segment(location))"
            + "/endpoints/\(Self.segment(endpoint)):predict"
        components.percentEncodedQuery = nil
        components.fragment = nil
        guard let url = components.url else {
            throw .invalidSetting(
                key: "VERTEX_AI_API_ENDPOINT", value: base.absoluteString,
                expected: "an http:// or https:// URL with a host")
        }

        self.projectID = project
        self.location = location
        self.endpointID = endpoint
        self.baseURLOverride = baseURL
        self.url = url
    }

    private static let locationCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-")

    /// RFC 3986 unreserved characters; everything else (`/`, `:`, spaces) is
    /// percent-encoded so an ID can never change the shape of the path.
    private static let segmentCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? value
    }

    private static func trimmed(_ value: String?) -> String {
        (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
