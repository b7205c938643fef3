"""The mirror's cached copy of the capture log's Merkle tree (one per app): proofs and
bundles read only the captures logged since the last request."""

from __future__ import annotations

from archiver.evidence.cached_tree import CachedTree


class EvidenceTree(CachedTree):
    """The app's ``CachedTree``."""
