"""Put prospects into a store the way an import does: one write, one batch."""

from __future__ import annotations

from collections.abc import Sequence

from store.models import ImportBatch, Prospect
from store.rules.store import Store


def seed_prospects(store: Store, prospects: Sequence[Prospect], sha256: str = "seed") -> ImportBatch:
    """Add prospects in one import batch; returns the batch (its prospect_ids in order)."""
    records = [p.model_dump(mode="json", exclude={"id"}) for p in prospects]
    batch, skipped = store.import_prospects(
        records, ImportBatch(file_name="seed.csv", sha256=sha256, rows=len(records)))
    assert not skipped, "seeded domains must be new"
    return batch
