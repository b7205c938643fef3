"""Evidence-grade archive: the capture log (RFC 9162 Merkle tree), signed tree heads, proofs."""
