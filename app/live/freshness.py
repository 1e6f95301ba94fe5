"""What a feed knows about how fresh its data is; the status line reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Freshness:
    updated_at: float | None = None  # monotonic seconds of the last good answer
    problem: str | None = None  # "offline", "rate limited", "server error 502", ...
    retry_at: float | None = None  # monotonic seconds of the next attempt
    loading: bool = False
    progress: str = ""  # "12/60" while a long first load runs
    note: str | None = None  # a lasting condition shown after freshness ("no monitor", ...)
    cached: bool = False  # what is shown came from the disk cache, not from this run

    def restored(self, at: float) -> None:
        """Data from the cache, fetched at monotonic time `at` (in the past)."""
        self.updated_at, self.cached = at, True

    def succeeded(self, at: float) -> None:
        self.cached = False
        self.updated_at, self.problem, self.retry_at, self.loading, self.progress = (
            at,
            None,
            None,
            False,
            "",
        )

    def failed(self, problem: str, retry_at: float | None) -> None:
        self.problem, self.retry_at, self.loading, self.progress = problem, retry_at, False, ""

    def forget(self) -> None:
        """Another site or range: nothing is known about it yet."""
        self.updated_at, self.problem, self.retry_at, self.cached = None, None, None, False
        self.loading, self.progress, self.note = False, "", None

    @property
    def stale(self) -> bool:
        return self.problem is not None
