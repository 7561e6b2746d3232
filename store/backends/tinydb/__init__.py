"""The embedded default: one JSON file shared safely by the sessions on one host."""
