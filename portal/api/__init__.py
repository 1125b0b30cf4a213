"""The REST API's shared parts: permissions and the versioned URL root."""
