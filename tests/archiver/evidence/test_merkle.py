"""The RFC 9162 tree: roots match the recursive definition; every proof verifies and a
wrong one fails."""

import hashlib

import pytest

from archiver.evidence import merkle
from archiver.evidence.canonical import leaf_hash, node_hash


def mth(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 section 2.1.1."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


LEAVES = [leaf_hash(str(i).encode()) for i in range(40)]


def test_rfc9162_hash_prefixes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


@pytest.mark.parametrize("n", range(0, 40))
def test_root_and_builder_match_the_definition(n: int) -> None:
    builder = merkle.TreeBuilder()
    for leaf in LEAVES[:n]:
        builder.append(leaf)
    assert merkle.root(LEAVES[:n]) == mth(LEAVES[:n]) == builder.root()


@pytest.mark.parametrize("n", range(1, 24))
def test_inclusion_proofs_verify(n: int) -> None:
    tree = LEAVES[:n]
    for i in range(n):
        proof = merkle.inclusion_proof(i, tree)
        assert merkle.root_from_inclusion(i, n, tree[i], proof) == mth(tree)
        assert merkle.root_from_inclusion(i, n, LEAVES[39], proof) != mth(tree)


@pytest.mark.parametrize("n", range(1, 24))
def test_consistency_proofs_verify(n: int) -> None:
    tree = LEAVES[:n]
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(m, tree)
        merkle.verify_consistency(m, n, mth(tree[:m]), mth(tree), proof)


def test_consistency_fails_for_a_rewritten_past() -> None:
    tree = LEAVES[:13]
    rewritten = [*tree[:3], LEAVES[39], *tree[4:]]
    proof = merkle.consistency_proof(7, rewritten)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(7, 13, mth(tree[:7]), mth(rewritten), proof)


def test_tree_grown_in_steps_gives_the_same_proofs() -> None:
    tree = merkle.Tree(LEAVES[:5])
    tree.extend(LEAVES[5:19])
    assert tree.root(11) == mth(LEAVES[:11]) and tree.root() == mth(LEAVES[:19])
    assert tree.inclusion(6, 11) == merkle.Tree(LEAVES[:11]).inclusion(6, 11)
    merkle.verify_consistency(6, 19, mth(LEAVES[:6]), mth(LEAVES[:19]), tree.consistency(6, 19))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 9, 31, 40])
def test_tree_builder_roots_match_rfc9162(n: int) -> None:
    one, many = merkle.TreeBuilder(), merkle.TreeBuilder()
    for leaf in LEAVES[:n]:
        one.append(leaf)
    many.extend(LEAVES[: n // 2])
    many.extend(LEAVES[n // 2 : n])
    assert one.root() == many.root() == mth(LEAVES[:n])
    assert one.size == many.size == n
