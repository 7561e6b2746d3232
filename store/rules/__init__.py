"""The business rules, written once over any backend: validation, uniqueness, hand-over,
conflicts, orders and import batches."""
