"""The one way anything is sent to a person: refuses unsafe channels, logs every message."""
