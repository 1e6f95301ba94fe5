"""One site's traffic on one UTC day: a pure function of (seed, site, date).

Visits are generated as sessions. The plan (how many sessions, how many pages each) is cheap,
so totals over long ranges never touch individual hits. Each further aspect is drawn from its
own seeded stream (visitor attributes, pages, times), so aggregates such as per-path counts are
computed without materialising hits, and the time-ordered hits (`DayHits`) only when a request
needs individual rows. Sessions are laid out grouped by their page count: session order carries
no meaning until hits are sorted by time.
"""

from __future__ import annotations

import hashlib
import math
import random
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import compress, repeat
from operator import add, eq, itemgetter, mod, mul, sub

from app.demo.tables import PathSampler, count_codes
from app.demo.traffic import (
    COUNTRY_CODES,
    DEVICES,
    GAP_SECONDS,
    MAX_PAGES,
    REFERRER_NAMES,
    SiteTraffic,
)

SPIKE_CHANCE = 0.012  # about four front-page days a year
ID_EPOCH = date(2020, 1, 1)
DAY_SECONDS = 86400


def take(table: Sequence[int], indices: Sequence[int]) -> list[int]:
    """`[table[i] for i in indices]`, in C."""
    if not indices:
        return []
    if len(indices) == 1:
        return [table[indices[0]]]
    return list(itemgetter(*indices)(table))


@dataclass(frozen=True)
class Group:
    """Sessions `first..end-1` have `pages` page views each; their hits start at `hit` in
    generation order and their non-entry page views at `inner` in the inner-page stream."""

    pages: int
    first: int
    end: int
    hit: int
    inner: int


class Day:
    def __init__(self, traffic: SiteTraffic, day: date) -> None:
        self.traffic = traffic
        self.date = day
        self.key = f"{traffic.seed}:{traffic.profile.id}:{day.isoformat()}"
        rng = random.Random(self.key + ":plan")
        self.spike_path: int | None = None
        multiplier = 1.0
        if rng.random() < SPIKE_CHANCE:
            multiplier = rng.uniform(3.0, 8.0)
            self.spike_path = rng.choice(traffic.spike_candidates)
        expected = traffic.expected_hits(day) * multiplier * rng.lognormvariate(0.0, 0.12)
        mean = expected / traffic.profile.pages_per_session
        sessions = max(0, round(mean + rng.gauss(0.0, 1.0) * math.sqrt(mean)))
        per_pages = count_codes(rng.randbytes(sessions).translate(traffic.count_table), 256)
        groups: list[Group] = []
        first = hit = inner = 0
        for pages in range(1, MAX_PAGES + 1):
            n = per_pages[pages]
            if n:
                groups.append(Group(pages, first, first + n, hit, inner))
                first += n
                hit += n * pages
                inner += n * (pages - 1)
        self.groups = tuple(groups)
        self.sessions = sessions
        self.total = hit
        self.multi = sessions - per_pages[1]
        # Ids grow with time across days: day number, then site, then rank within the day.
        self.id_base = ((day - ID_EPOCH).days * 8 + traffic.index) * 10_000_000

    # --- visitor attributes, one code per session -------------------------------------------
    @cached_property
    def attrs(self) -> tuple[bytes, bytes, bytes]:
        """Referrer, country and device codes of each session."""
        t = self.traffic
        rng = random.Random(self.key + ":attrs")
        ref_table = t.ref_table if self.spike_path is None else t.spike_ref_table
        n = self.sessions
        return (
            rng.randbytes(n).translate(ref_table),
            rng.randbytes(n).translate(t.country_table),
            rng.randbytes(n).translate(t.device_table),
        )

    def attr_counts(self) -> tuple[list[int], list[int], list[int]]:
        """Hits (not sessions) per referrer, country and device: a session's attributes count
        once per page it viewed."""
        sizes = (len(REFERRER_NAMES), len(COUNTRY_CODES), len(DEVICES))
        result = tuple([0] * n for n in sizes)
        for codes, size, acc in zip(self.attrs, sizes, result, strict=False):
            for g in self.groups:
                for code, n in enumerate(count_codes(codes[g.first : g.end], size)):
                    if n:
                        acc[code] += n * g.pages
        return result[0], result[1], result[2]

    # --- pages ------------------------------------------------------------------------------
    @property
    def entry_sampler(self) -> PathSampler:
        if self.spike_path is None:
            return self.traffic.entry
        return self.traffic.spike_entry(self.spike_path)

    @cached_property
    def path_codes(self) -> tuple[bytes, bytes, bytes, bytes]:
        """Entry pages (head and tail codes, one per session), then the other page views."""
        rng = random.Random(self.key + ":paths")
        entry, inner = self.entry_sampler, self.traffic.inner
        n, m = self.sessions, self.total - self.sessions
        return (
            rng.randbytes(n).translate(entry.head),
            rng.randbytes(n).translate(entry.tail),
            rng.randbytes(m).translate(inner.head),
            rng.randbytes(m).translate(inner.tail),
        )

    def path_counts(self) -> list[int]:
        e_head, e_tail, i_head, i_tail = self.path_codes
        n = len(self.traffic.paths)
        entries = self.entry_sampler.counts(e_head, e_tail, n)
        inner = self.traffic.inner.counts(i_head, i_tail, n)
        return [a + b for a, b in zip(entries, inner, strict=False)]

    @cached_property
    def entry_ids(self) -> list[int]:
        e_head, e_tail, _, _ = self.path_codes
        return self.entry_sampler.resolve(e_head, e_tail)

    @cached_property
    def inner_ids(self) -> list[int]:
        _, _, i_head, i_tail = self.path_codes
        return self.traffic.inner.resolve(i_head, i_tail)

    def entry_exit_counts(self) -> tuple[list[int], list[int]]:
        """Sessions per entry page and per exit page."""
        n = len(self.traffic.paths)
        entries, exits = [0] * n, [0] * n
        entry_ids, inner_ids = self.entry_ids, self.inner_ids
        for pid, c in Counter(entry_ids).items():
            entries[pid] += c
        for g in self.groups:
            if g.pages == 1:
                last = entry_ids[g.first : g.end]
            else:
                step = g.pages - 1
                stop = g.inner + (g.end - g.first) * step
                last = inner_ids[g.inner + step - 1 : stop : step]
            for pid, c in Counter(last).items():
                exits[pid] += c
        return entries, exits

    def path_unique(self) -> list[int]:
        """Per page, the sessions that viewed it (a reload in one session counts once)."""
        n = len(self.traffic.paths)
        unique = [0] * n
        entry_ids, inner_ids = self.entry_ids, self.inner_ids
        for g in self.groups:
            if g.pages == 1:
                for pid, c in Counter(entry_ids[g.first : g.end]).items():
                    unique[pid] += c
                continue
            step = g.pages - 1
            if g.pages == 2:
                # Two page views: both count, unless the visitor reloaded the same page.
                firsts = entry_ids[g.first : g.end]
                seconds = inner_ids[g.inner : g.inner + (g.end - g.first)]
                same = list(compress(firsts, map(eq, firsts, seconds)))
                for counter, sign in (
                    (Counter(firsts), 1),
                    (Counter(seconds), 1),
                    (Counter(same), -1),
                ):
                    for pid, c in counter.items():
                        unique[pid] += sign * c
                continue
            for offset, s in enumerate(range(g.first, g.end)):
                j = g.inner + offset * step
                for pid in {entry_ids[s], *inner_ids[j : j + step]}:
                    unique[pid] += 1
        return unique

    # --- individual hits --------------------------------------------------------------------
    def visitor_hash(self, session: int) -> str:
        """Privacy-preserving visitor id: stable for the session, meaningless outside it."""
        return hashlib.blake2b(f"{self.key}:{session}".encode(), digest_size=6).hexdigest()

    def group_of(self, session: int) -> Group:
        starts = [g.first for g in self.groups]
        return self.groups[bisect_right(starts, session) - 1]


class DayHits:
    """The day's hits in time order (columns), plus each session's page views in order."""

    def __init__(self, day: Day) -> None:
        self.day = day
        t = day.traffic
        rng = random.Random(day.key + ":times")
        n = day.sessions
        hours = rng.randbytes(n).translate(t.hour_table)
        pairs = array("H", rng.randbytes(2 * n))
        gaps = rng.randbytes(day.total - n)
        starts = list(map(add, map(mul, hours, repeat(3600)), map(mod, pairs, repeat(3600))))
        # A session that would run past midnight starts earlier, by a varying margin so that
        # such sessions do not all end on 23:59:59 (a day's hits stay in their day).
        limits = list(map(sub, repeat(DAY_SECONDS - 1), map(mod, pairs, repeat(1800))))
        entry_ids, inner_ids = day.entry_ids, day.inner_ids
        t_gen: list[int] = []
        p_gen: list[int] = []
        s_gen: list[int] = []
        # Vectorised per group: all sessions of a group share one shape (k pages), so column c
        # of the group's block holds every session's c-th page view.
        for g in day.groups:
            k, n_g = g.pages, g.end - g.first
            first_seconds = starts[g.first : g.end]
            sessions = range(g.first, g.end)
            if k == 1:
                t_gen.extend(first_seconds)
                p_gen.extend(entry_ids[g.first : g.end])
                s_gen.extend(sessions)
                continue
            step = k - 1
            block_gaps = gaps[g.inner : g.inner + n_g * step]
            offsets: list[list[int]] = []
            for c in range(step):
                column = take(GAP_SECONDS, block_gaps[c::step])
                offsets.append(list(map(add, offsets[-1], column)) if offsets else column)
            first_seconds = list(
                map(min, first_seconds, map(sub, limits[g.first : g.end], offsets[-1]))
            )
            times = [0] * (n_g * k)
            paths = [0] * (n_g * k)
            owners = [0] * (n_g * k)
            times[0::k] = first_seconds
            paths[0::k] = entry_ids[g.first : g.end]
            owners[0::k] = sessions
            inner_block = inner_ids[g.inner : g.inner + n_g * step]
            for c in range(1, k):
                times[c::k] = map(add, first_seconds, offsets[c - 1])
                paths[c::k] = inner_block[c - 1 :: step]
                owners[c::k] = sessions
            t_gen.extend(times)
            p_gen.extend(paths)
            s_gen.extend(owners)
        # A stable sort: equal seconds keep generation order, so ids are reproducible.
        order = sorted(range(len(t_gen)), key=t_gen.__getitem__)
        self.times = array("i", take(t_gen, order))  # seconds after midnight, ascending
        self.paths = array("i", take(p_gen, order))
        self.sessions = array("i", take(s_gen, order))
        self.gen_times = array("i", t_gen)
        self.gen_paths = array("i", p_gen)

    def count_until(self, second: int) -> int:
        """How many hits happened at or before `second` after midnight."""
        return bisect_right(self.times, second)

    def session_pages(self, session: int) -> list[tuple[int, int]]:
        """(path id, second) of each page view of the session, in order."""
        g = self.day.group_of(session)
        start = g.hit + (session - g.first) * g.pages
        stop = start + g.pages
        return list(zip(self.gen_paths[start:stop], self.gen_times[start:stop], strict=False))

    def session_start(self, session: int) -> int:
        g = self.day.group_of(session)
        return self.gen_times[g.hit + (session - g.first) * g.pages]
