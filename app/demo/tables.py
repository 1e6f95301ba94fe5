"""Fast categorical sampling: 256-slot byte tables used with `bytes.translate`.

A day of the largest site can hold tens of thousands of hits. Drawing them one by one in Python
is too slow, so categories are drawn in bulk: `rng.randbytes(n).translate(table)` turns n random
bytes into n category codes in C, and `bytes.count` counts them in C. A byte table resolves
weights to 1/256; long tails (a site's hundreds of pages) use two tables, see `PathSampler`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

TAIL = 255  # the head table's code for "draw again from the tail table"


def apportion(weights: Sequence[float], slots: int = 256) -> list[int]:
    """Slots per category, proportional to weight, every positive weight at least one slot."""
    positive = [i for i, w in enumerate(weights) if w > 0]
    if len(positive) > slots:
        raise ValueError("more categories than slots")
    counts = [0] * len(weights)
    if not positive:
        return counts
    for i in positive:
        counts[i] = 1
    free = slots - len(positive)
    total = sum(weights[i] for i in positive)
    quotas = {i: weights[i] / total * slots - 1 for i in positive}
    for i in positive:
        extra = max(0, math.floor(quotas[i]))
        extra = min(extra, free)
        counts[i] += extra
        free -= extra
    # Largest remainders get what is left.
    order = sorted(positive, key=lambda i: quotas[i] - math.floor(quotas[i]), reverse=True)
    while free > 0:
        for i in order:
            if free == 0:
                break
            counts[i] += 1
            free -= 1
    return counts


def byte_table(weights: Sequence[float]) -> bytes:
    """A translate table: byte value -> category code (an index into `weights`)."""
    if len(weights) > 256:
        raise ValueError("a byte table holds at most 256 categories")
    table = bytearray()
    for code, n in enumerate(apportion(weights)):
        table.extend([code] * n)
    return bytes(table)


def count_codes(codes: bytes, n: int) -> list[int]:
    """How often each code 0..n-1 occurs: `bytes.count` for few codes, a Counter for many."""
    if n <= 48:
        return [codes.count(code) for code in range(n)]
    counter = Counter(codes)
    return [counter.get(code, 0) for code in range(n)]


@dataclass(frozen=True)
class PathSampler:
    """Pages drawn in two steps: a head table with the popular pages (and a TAIL code), then a
    tail table for the long tail. Codes map to indices in the site's path vocabulary."""

    head: bytes
    head_ids: tuple[int, ...]
    tail: bytes
    tail_ids: tuple[int, ...]

    @classmethod
    def build(cls, weights: Sequence[float]) -> PathSampler:
        ranked = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: -weights[i])
        total = sum(weights[i] for i in ranked)
        # A page earns a head slot when its share is worth at least one of 256; the head keeps
        # room for the tail code and the tail holds at most 256 pages.
        head = [i for i in ranked if weights[i] / total >= 1 / 256][:200]
        in_head = set(head)
        tail = [i for i in ranked if i not in in_head][:256]
        tail_mass = sum(weights[i] for i in tail)
        head_weights = [weights[i] for i in head] + [0.0] * (TAIL - len(head)) + [tail_mass]
        head_table = byte_table(head_weights)
        tail_table = byte_table([weights[i] for i in tail]) if tail else bytes(256)
        return cls(head_table, tuple(head), tail_table, tuple(tail) or (0,))

    def counts(self, head_codes: bytes, tail_codes: bytes, n_paths: int) -> list[int]:
        """Per-path counts of draws already translated with `head` and `tail`."""
        result = [0] * n_paths
        by_code = Counter(head_codes)
        for code, n in by_code.items():
            if code != TAIL:
                result[self.head_ids[code]] += n
        n_tail = by_code.get(TAIL, 0)
        if n_tail:
            for code, n in Counter(tail_codes[:n_tail]).items():
                result[self.tail_ids[code]] += n
        return result

    def resolve(self, head_codes: bytes, tail_codes: bytes) -> list[int]:
        """Path ids in draw order: the k-th TAIL in the head codes takes the k-th tail code."""
        head_ids, tail_ids = self.head_ids, self.tail_ids
        tail_iter = iter(tail_codes)
        return [
            head_ids[code] if code != TAIL else tail_ids[next(tail_iter)] for code in head_codes
        ]
