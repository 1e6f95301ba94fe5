"""Running a feed's loop in the background, as a screen's worker does, and a session on the
demo server to run it in: for feed tests without Textual."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from app.api.client import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.feed import Feed, Update
from app.live.session import Event, Session
from app.live.state import ViewState

T = TypeVar("T")


def demo_session(
    demo: DemoServer, *, key: str = DEMO_KEY, connect: bool = True, **state: Any
) -> tuple[Session, list[Event]]:
    """A session on the demo server (its clock), and the list its events are told to."""
    session = Session(ViewState(**state), now=demo.clock.now)
    events: list[Event] = []
    session.listen(events.append)
    if connect:
        session.attach(TinylyticsClient(key, demo.base_url, budget=session.budget))
    return session, events


class Watching(Generic[T]):
    """A feed's loop run in the background, its updates collected."""

    def __init__(self, feed: Feed[Any, T]) -> None:
        self.feed = feed
        self.updates: list[Update[T]] = []
        self._arrived = asyncio.Event()
        feed.show()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for update in self.feed.watch():
            self.updates.append(update)
            self._arrived.set()

    def answers(self) -> list[T]:
        """Fresh answers (not kept, not partial), in order."""
        return [u.data for u in self.updates if u.data is not None and not (u.kept or u.partial)]

    async def until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

    async def answer(self, count: int = 1, timeout: float = 15.0) -> T:
        """The `count`-th fresh answer, once it is there."""
        await self.until(lambda: len(self.answers()) >= count, timeout)
        return self.answers()[count - 1]

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
