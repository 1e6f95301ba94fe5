"""`?` explains the status line's words, budget included, with the numbers the app uses."""

from __future__ import annotations

from collections.abc import Callable

from app.live.pacing import stretch
from app.ui.app import TinylyticsApp
from app.ui.screens.help import HelpScreen
from tests.ui.conftest import screen_text, wait_for

Factory = Callable[..., TinylyticsApp]


class Used:
    """A budget that has used this many of its 600 requests."""

    per_hour = 600

    def __init__(self, used: int) -> None:
        self.used = used

    def used_last_hour(self) -> int:
        return self.used


async def test_help_explains_api_use_and_slowing(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
    assert "API 37/h" in text and "requests_per_hour" in text
    assert "×2 at 75 %, ×3 at 83 %, ×4 at 87.5 %, ×5 at 90 %" in text
    # The words say what the app does.
    for share, factor in ((0.75, 2), (0.834, 3), (0.875, 4), (0.9, 5)):
        assert round(stretch(Used(round(600 * share)))) == factor  # type: ignore[arg-type]
