"""The mirror's tree of the capture log (one per app): proofs read O(log n) stored subtrees,
and the app keeps those it has read."""

from __future__ import annotations

from archiver.evidence.stored_tree import StoredTree


class EvidenceTree(StoredTree):
    """The app's ``StoredTree``."""
