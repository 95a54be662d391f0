/// Placeholder: the local CPU prediction endpoint is being built (issue 8).
enum LocalEndpointModule {}
