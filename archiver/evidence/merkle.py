"""RFC 9162 Merkle tree: root hash, inclusion and consistency proofs, and their verification.

Pure functions over lists of leaf hashes (section 2.1). ``root`` builds the tree level by level
(the same tree as the recursive definition: a level's last, unpaired node moves up as is).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from archiver.evidence.canonical import node_hash

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not fit the sizes or hashes it claims."""


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the leaf hashes ``leaves``."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class TreeBuilder:
    """Roots of a growing tree at every size, in O(1) amortized per leaf.

    Keeps the roots of the perfect subtrees the leaves so far decompose into, largest first
    (their sizes are the binary digits of the count); folding them right to left gives MTH of
    the whole. Appending leaf number ``size`` merges as many subtrees as ``size`` has
    trailing one bits. ``extend`` does the same for many leaves with the hashing inlined:
    ``verify`` appends every capture of the archive.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        self.extend((leaf,))

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaf hashes in order."""
        stack, size, sha256 = self._stack, self.size, hashlib.sha256
        pop, push = stack.pop, stack.append
        for node in leaves:
            n = size
            while n & 1:
                node = sha256(b"\x01" + pop() + node).digest()
                n >>= 1
            push(node)
            size += 1
        self.size = size

    def extend_nodes(self, leaves: Iterable[bytes]) -> list[Node]:
        """``extend``, returning every perfect subtree the leaves complete (above the leaves),
        as ``(level, index, hash)`` in the order they close: what the log stores so that a
        proof reads O(log n) of them (``archiver.store.evidence_subtrees``)."""
        stack, size, sha256 = self._stack, self.size, hashlib.sha256
        pop, push = stack.pop, stack.append
        done: list[Node] = []
        closed = done.append
        for node in leaves:
            n, level = size, 0
            while n & 1:
                node = sha256(b"\x01" + pop() + node).digest()
                n >>= 1
                level += 1
                closed((level, size >> level, node))
            push(node)
            size += 1
        self.size = size
        return done

    def extend_feeding(
        self, leaves: Iterable[bytes], feeds: Sequence[Callable[[bytes], Any]]
    ) -> None:
        """``extend``, passing each completed subtree's hash to ``feeds[level - 1]`` (for each
        level in index order): ``verify`` hashes every level of the tree without a copy."""
        stack, size, sha256 = self._stack, self.size, hashlib.sha256
        pop, push = stack.pop, stack.append
        for node in leaves:
            n, level = size, 0
            while n & 1:
                node = sha256(b"\x01" + pop() + node).digest()
                feeds[level](node)
                n >>= 1
                level += 1
            push(node)
            size += 1
        self.size = size

    @classmethod
    def from_frontier(cls, size: int, nodes: Sequence[bytes]) -> TreeBuilder:
        """The builder of a tree of ``size`` leaves, from the hashes of its ``frontier(size)``."""
        if len(nodes) != bin(size).count("1"):
            raise ProofError(f"a tree of {size} leaves has {bin(size).count('1')} frontier nodes")
        builder = cls()
        builder.size = size
        builder._stack = list(nodes)
        return builder

    def root(self) -> bytes:
        """MTH of the leaves appended so far."""
        if not self._stack:
            return EMPTY_ROOT
        r = self._stack[-1]
        for node in reversed(self._stack[:-1]):
            r = node_hash(node, r)
        return r


Node = tuple[int, int, bytes]
"""A perfect subtree's hash: ``(level, index, hash)`` covers leaves ``[index << level,
(index + 1) << level)``; level 0 is a leaf."""


def frontier(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees a tree of ``size`` leaves decomposes into, largest (leftmost) first,
    as ``(level, index)``: folding their hashes right to left gives its root."""
    out, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Proofs:
    """RFC 9162 roots of ranges, inclusion and consistency proofs (section 2.1), over the
    hashes of aligned perfect subtrees that ``node(level, index)`` gives: O(log n) of them
    per proof. The walk never depends on the hashes, so ``needed_nodes`` can list the nodes a
    proof reads before they are fetched (``archiver.evidence.stored_tree``)."""

    @property
    def size(self) -> int:
        """How many leaves the tree has."""
        raise NotImplementedError

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree of leaves ``[index << level, (index + 1) << level)``."""
        raise NotImplementedError

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves[start:end]."""
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            h = n.bit_length() - 1
            return self.node(h, start >> h)
        k = _split(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all by default)."""
        return self.subtree(0, self.size if size is None else size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size])."""
        if not 0 <= index < size <= self.size:
            raise ProofError(f"leaf {index} is not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, start, start + k), self.subtree(start + k, end)]
        return [*self._path(m - k, start + k, end), self.subtree(start, start + k)]

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, D[new_size])."""
        if not 0 < old_size <= new_size <= self.size:
            raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
        return self._sub(old_size, 0, new_size, True)

    def _sub(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.subtree(start, end)]
        k = _split(n)
        if m <= k:
            return [*self._sub(m, start, start + k, complete), self.subtree(start + k, end)]
        return [*self._sub(m - k, start + k, end, False), self.subtree(start, start + k)]


class Tree(Proofs):
    """A tree with every aligned perfect subtree's hash kept (level by level), so that roots
    of any prefix and proofs cost O(log² n) hashes instead of O(n). ``extend`` appends."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        self.extend(leaves)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes, completing the perfect subtrees they close."""
        self.levels[0].extend(leaves)
        h = 0
        while len(self.levels[h]) > 1:
            below = self.levels[h]
            if h + 1 == len(self.levels):
                self.levels.append([])
            above = self.levels[h + 1]
            sha256 = hashlib.sha256
            above.extend(
                sha256(b"\x01" + below[2 * i] + below[2 * i + 1]).digest()
                for i in range(len(above), len(below) // 2)
            )
            h += 1


class NodeMap(Proofs):
    """Proofs over a tree of ``size`` leaves from a map of the perfect subtrees they read."""

    def __init__(self, size: int, nodes: dict[tuple[int, int], bytes]) -> None:
        self._size = size
        self.nodes = nodes

    @property
    def size(self) -> int:
        return self._size

    def node(self, level: int, index: int) -> bytes:
        return self.nodes[level, index]


class _Recorder(Proofs):
    def __init__(self, size: int) -> None:
        self._size = size
        self.seen: set[tuple[int, int]] = set()

    @property
    def size(self) -> int:
        return self._size

    def node(self, level: int, index: int) -> bytes:
        self.seen.add((level, index))
        return EMPTY_ROOT


def needed_nodes(
    size: int, *, inclusion: Iterable[int] = (), consistency_from: int | None = None
) -> set[tuple[int, int]]:
    """The ``(level, index)`` of every perfect subtree that the inclusion proofs of leaves
    ``inclusion`` and the consistency proof from ``consistency_from`` in a tree of ``size``
    leaves read (raises ``ProofError`` as the proofs would)."""
    recorder = _Recorder(size)
    for index in inclusion:
        recorder.inclusion(index, size)
    if consistency_from is not None:
        recorder.consistency(consistency_from, size)
    return recorder.seen


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index`` in the tree of ``leaves``."""
    return Tree(leaves).inclusion(index, len(leaves))


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) between the tree of the first ``old_size`` leaves and of all ``leaves``."""
    return Tree(leaves).consistency(old_size, len(leaves))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` makes for leaf hash ``leaf`` at ``index`` (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return r


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof (RFC 9162 2.1.4.2); raises ``ProofError`` when it fails."""
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency from size {old_size} to {new_size}")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError("trees of the same size differ")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr, sr = _consistency_walk(fn, sn, path)
    if fr != old_root:
        raise ProofError(f"the proof does not lead to the old root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"the proof does not lead to the new root of size {new_size}")


def _consistency_walk(fn: int, sn: int, path: Sequence[bytes]) -> tuple[bytes, bytes]:
    """Steps 5-7 of RFC 9162 2.1.4.2: the old and new roots that ``path`` leads to."""
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    return fr, sr
