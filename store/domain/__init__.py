"""Domains: normalise a name, check it in DNS, and Verify it."""
