"""Running a feed's loop in the background, as a screen's worker does, and a session on the
demo server to run it in: for feed tests without Textual."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from app.api.client import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.feed import Feed, Update
from app.live.session import Event, Session
from app.live.state import ViewState
from tests.conftest import DEMO_HEADERS

T = TypeVar("T")


def attach(session: Session, demo: DemoServer, key: str = DEMO_KEY) -> None:
    """Connect `session` to the demo server with `key`."""
    session.attach(TinylyticsClient(key, demo.base_url, budget=session.budget))


def demo_session(
    demo: DemoServer, *, key: str = DEMO_KEY, connect: bool = True, **state: Any
) -> tuple[Session, list[Event]]:
    """A session on the demo server (its clock), and the list its events are told to."""
    session = Session(ViewState(**state), now=demo.clock.now)
    events: list[Event] = []
    session.listen(events.append)
    if connect:
        attach(session, demo, key)
    return session, events


@contextlib.asynccontextmanager
async def session_on(
    demo: DemoServer, *, key: str = DEMO_KEY, connect: bool = True, **state: Any
) -> AsyncIterator[Session]:
    """`demo_session`'s session, closed when done."""
    session, _ = demo_session(demo, key=key, connect=connect, **state)
    try:
        yield session
    finally:
        await session.close()


def api(demo: DemoServer, path: str, /, **params: str | int) -> Any:
    """What the API itself answers, to compare a feed with: not counted in `demo.stats`, which
    is reset after it (so that it counts only the feeds' requests)."""
    answer = httpx.get(demo.base_url + path, params=params, headers=DEMO_HEADERS, timeout=60)
    answer.raise_for_status()
    body = answer.json()
    demo.stats.reset()
    return body


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Until `condition` holds, looked at every 10 ms (for what no update tells)."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError


class Watching(Generic[T]):
    """A feed's loop run in the background, its updates collected; `async with` stops it."""

    def __init__(self, feed: Feed[Any, T], *, show: bool = True, timeout: float = 15.0) -> None:
        self.feed = feed
        self.updates: list[Update[T]] = []
        self.timeout = timeout  # how long `until`, `answer` and `next` wait by default
        self._arrived = asyncio.Event()
        self._taken = 0  # how much of `data()` `next` has passed
        self._stopped = False
        self._updates = feed.watch()
        if show:
            feed.show()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for update in self._updates:
            self.updates.append(update)
            self._arrived.set()

    def data(self) -> list[T]:
        """Every update's data (kept and partial too), in order."""
        return [u.data for u in self.updates if u.data is not None]

    def answers(self) -> list[T]:
        """Fresh answers (not kept, not partial), in order."""
        return [u.data for u in self.updates if u.data is not None and not (u.kept or u.partial)]

    async def until(self, condition: Callable[[], bool], timeout: float | None = None) -> None:
        """Until `condition` holds, looked at as each update arrives."""
        async with asyncio.timeout(self.timeout if timeout is None else timeout):
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

    async def answer(self, count: int = 1, timeout: float | None = None) -> T:
        """The `count`-th fresh answer, once it is there."""
        await self.until(lambda: len(self.answers()) >= count, timeout)
        return self.answers()[count - 1]

    async def next(
        self, fits: Callable[[T], bool] = lambda data: True, timeout: float | None = None
    ) -> T:
        """The first data that `fits` after what `next` has returned (the rest it passes over),
        as a screen reading the loop one update at a time would get it."""
        found: list[T] = []

        def arrived() -> bool:
            for data in self.data()[self._taken :]:
                self._taken += 1
                if fits(data):
                    found.append(data)
                    return True
            return False

        await self.until(arrived, timeout)
        return found[0]

    async def stop(self) -> None:
        """Cancel the loop (which must still be running) and close the feed's generator; once."""
        if self._stopped:
            return
        self._stopped = True
        running = self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._updates.aclose()
        assert running, "the feed's loop ended by itself"

    async def __aenter__(self) -> Watching[T]:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
