"""First run, or a key the server does not accept: ask for a key, check it, offer to save it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from app.api import ApiError, AuthError, SubscriptionRequired
from app.config import DEFAULT_ACCOUNT, ConfigError, Settings, save_settings
from app.live.session import check_key
from app.secret import Secret
from app.ui.messages import StartDemo, UseKey
from app.ui.text import clean

if TYPE_CHECKING:
    from app.api import MeResponse, RequestBudget

INTRO = (
    "tinylytics-tui needs a Tinylytics API key (Account Settings → API Access → Create New API "
    "Key). It is checked with GET /me before anything else."
)
ACCOUNTS = "Several accounts: [accounts.work] in config.toml; ctrl+p switches."


def describe(me: MeResponse) -> Text:
    user = me.user
    text = Text("Key accepted: ", style="green")
    text.append(clean(user.name or "(no name)"), style="bold")
    if user.email:
        text.append(f" <{clean(user.email)}>")
    text.append(f" · subscription {clean(user.subscription_status or 'unknown')}")
    if user.sites_count is not None:
        text.append(f" · {user.sites_count} sites")
    return text


class FirstRunScreen(Screen[None]):
    DEFAULT_CSS = """
    FirstRunScreen { align: center middle; }
    FirstRunScreen > Vertical {
        width: 76; max-width: 100%; height: auto; border: round $accent; padding: 1 2;
    }
    FirstRunScreen #reason { color: $warning; margin-bottom: 1; }
    FirstRunScreen #result { margin: 1 0; height: auto; }
    FirstRunScreen Horizontal { height: auto; }
    FirstRunScreen Button { margin-right: 1; }
    """
    BINDINGS = [("escape", "app.quit", "Quit")]

    def __init__(self, reason: str | None, settings: Settings, budget: RequestBudget) -> None:
        super().__init__()
        self.reason = reason
        self.base_url = settings.base_url
        self.config_path = settings.config_path
        self.budget = budget
        self.account = settings.account
        # A key read from a file is replaced there: saving one beside it would make two.
        self.key_file = next(
            (a.api_key_file for a in settings.accounts if a.name == settings.account), None
        )
        self._checked: Secret | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Connect to Tinylytics"
            if self.account != DEFAULT_ACCOUNT:
                box.border_title += f" · account {self.account}"
            if self.reason:
                yield Static(
                    Text(f"The API key was not accepted: {clean(self.reason)}"), id="reason"
                )
            yield Static(INTRO)
            yield Static(Text(ACCOUNTS, style="dim"), id="accounts")
            yield Input(placeholder="tly-ro-…", password=True, id="key")
            yield Static("", id="result")
            with Horizontal(id="check-row"):
                yield Button("Check key", id="check", variant="primary")
                yield Button("Try the demo", id="demo")
            with Horizontal(id="save-row"):
                if self.key_file is None:
                    yield Button("Save to config (0600)", id="save", variant="success")
                yield Button("Use without saving", id="use")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#save-row").display = False
        self.query_one("#key", Input).focus()

    @property
    def _result(self) -> Static:
        return self.query_one("#result", Static)

    @on(Input.Submitted, "#key")
    @on(Button.Pressed, "#check")
    def _check(self) -> None:
        key = self.query_one("#key", Input).value.strip()
        if not key:
            self._result.update(Text("Type or paste a key first.", style="yellow"))
            return
        self._result.update(Text("Checking…"))
        self.check(Secret(key))

    @work(exclusive=True, group="check", exit_on_error=False)
    async def check(self, key: Secret) -> None:
        try:
            me = await check_key(key, self.base_url, self.budget)
        except AuthError as error:
            self._fail(f"That key was not accepted: {error.message} Try another.")
        except SubscriptionRequired:
            self._fail("That key's account has no active subscription: the API needs one.")
        except ApiError as error:
            self._fail(f"Could not check the key: {error.message}")
        else:
            self._checked = key
            # The old key's rejection above "Key accepted" would read as this key's.
            self.query("#reason").remove()
            accepted = describe(me)
            if self.key_file is not None:
                accepted.append(f"\nTo keep it, put it in {self.key_file}.")
            self._result.update(accepted)
            self.query_one("#check-row").display = False
            self.query_one("#save-row").display = True
            self.query_one("#save-row Button", Button).focus()

    def _fail(self, message: str) -> None:
        self._result.update(Text(message, style="red"))
        self.query_one("#key", Input).focus()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        assert self._checked is not None
        try:
            save_settings(
                self.config_path,
                {"api_key": self._checked.get_secret_value()},
                account=self.account,
            )
        except ConfigError as error:
            self.notify(error.message, severity="error", markup=False)
            return
        self.app.notify(f"Saved to {self.config_path} (mode 0600).", markup=False)
        self._done()

    @on(Button.Pressed, "#use")
    def _use(self) -> None:
        self._done()

    def _done(self) -> None:
        assert self._checked is not None
        self.app.post_message(UseKey(self._checked))
        self.app.pop_screen()

    @on(Button.Pressed, "#demo")
    def _demo(self) -> None:
        self.app.post_message(StartDemo())
        self.app.pop_screen()
