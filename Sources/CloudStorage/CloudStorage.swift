/// Google Cloud Storage over its JSON API and the project's libcurl client: objects
/// uploaded, downloaded, listed and deleted with Google's retry rules, and V4 signed URLs.
/// A test stand-in (fake-gcs-server) plays the bucket in tests, as the local endpoint
/// plays Vertex AI.
public enum CloudStorage {}
