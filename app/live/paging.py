"""How many pages a paginated read asks for, whatever the server says about its paging.

A server's `pagination` is a claim, not a bound: `total_pages = 10**9` must not become a billion
requests. Every paginated read of the live layer goes through here:

- `pages_to_read()` turns the first page's numbers into a plan: the pages worth asking for,
  capped by what the reader needs (`total_count / per_page`, its range, its own maximum), and
  whether the server's numbers disagree with each other;
- `read_pages()` reads a run of pages with a few requests in flight at most, in order, and stops
  at the first empty or short page (the true end of the list, whatever was claimed);
- `PagingReport` says once, in one line, that the server's paging looks wrong.

The one line goes to a `warn` callable the session gives (a notice shown once per session); with
`warn=None` nothing is said and the reads are bounded all the same.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

Warn = Callable[[str], None]

# Requests in flight at once for one read: enough to hide a round trip, few enough that a
# read cut short by an empty page wastes little.
WINDOW = 4
# Pages may shift under a reader by one while rows arrive or expire: not a lie.
SLACK = 1

T = TypeVar("T")


@dataclass(frozen=True)
class PagingPlan:
    """What to read of a list, from its first page's numbers."""

    claimed: int  # the server's `total_pages`
    total_count: int  # the server's `total_count`
    size: int  # rows per page
    pages: int  # pages both of its numbers allow (at least 1)
    last: int  # the last page worth asking for: `pages`, capped by what the reader needs
    disagrees: bool  # `total_pages` and `total_count / per_page` tell different stories

    def ended_early(self, end: Ending) -> bool:
        """The rows ran out (an empty or short page) well before the server said they would."""
        held = (end.page - 1) * self.size + end.rows
        return end.page + SLACK < self.claimed or held + SLACK * self.size < self.total_count


@dataclass(frozen=True)
class Ending:
    """Where a list ended: the first page with fewer rows than a full one, and its rows."""

    page: int
    rows: int


def pages_to_read(total_count: int, total_pages: int, per_page: int, cap: int) -> PagingPlan:
    """The pages to read of a list the server says holds `total_count` rows in `total_pages`
    pages of `per_page`; never more than `cap` (at least 1)."""
    claimed = max(1, total_pages)
    counted = max(1, math.ceil(total_count / per_page)) if per_page > 0 else claimed
    pages = min(claimed, counted)
    disagrees = abs(claimed - counted) > SLACK
    last = max(1, min(pages, cap))
    return PagingPlan(claimed, max(0, total_count), per_page, pages, last, disagrees)


def page_size(asked: int, told: int) -> int:
    """Rows per page: the server's own size when it took less than asked (a cap), else ours."""
    return told if 0 < told < asked else asked


async def read_pages(
    fetch: Callable[[int], Awaitable[T]],
    pages: range,
    *,
    rows: Callable[[T], int],
    size: int,
    take: Callable[[int, T], bool],
    window: int = WINDOW,
) -> Ending | None:
    """Read `pages` in order with at most `window` requests in flight, handing each answer to
    `take` as it comes (so a long list never sits in memory whole).

    Stops at the first page holding fewer than `size` rows (the page where the list ends, which
    is handed to `take` first), or when `take` returns True. Returns where the list ended, or
    None when it did not end within `pages`. Requests still in flight are cancelled.
    """
    numbers = iter(pages)
    pending: deque[tuple[int, asyncio.Future[T]]] = deque()

    def top_up() -> None:
        while len(pending) < max(1, window):
            number = next(numbers, None)
            if number is None:
                return
            pending.append((number, asyncio.ensure_future(fetch(number))))

    try:
        top_up()
        while pending:
            number, task = pending.popleft()
            answer = await task
            count = rows(answer)
            stop = take(number, answer)
            if count < size:
                return Ending(number, count)
            if stop:
                return None
            top_up()
        return None
    finally:
        # Cut short (the end, an error, a cancel): what is still in flight is not left running.
        for _, task in pending:
            task.cancel()
        await asyncio.gather(*(task for _, task in pending), return_exceptions=True)


class PagingReport:
    """Says once that a server's paging looks wrong: one line, to `warn` (None: to nobody)."""

    def __init__(self, warn: Warn | None = None) -> None:
        self.warn = warn
        self.told = False

    def check(self, what: str, plan: PagingPlan, end: Ending | None = None) -> bool:
        """Tell (once) when `plan`'s numbers disagree or the rows ended (`end`) well before they
        said; True when this read found the paging wrong."""
        early = end is not None and plan.ended_early(end)
        if not (plan.disagrees or early):
            return False
        seen = f"the rows ended on page {end.page:,}" if early and end else "its counts disagree"
        self.tell(
            f"The server's paging of {what} looks wrong (it claims {plan.claimed:,} pages, "
            f"{seen}): showing what it sent."
        )
        return True

    def tell(self, line: str) -> None:
        if self.told:
            return
        self.told = True
        if self.warn is not None:
            self.warn(line)
