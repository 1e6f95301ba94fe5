"""Command line: `tinylytics-tui [options]` runs the dashboard, `tinylytics-tui demo-server` serves
the demo, `tinylytics-tui report` and `tinylytics-tui sites` print what the dashboard shows (for
scripts and cron), `tinylytics-tui serve` serves the dashboard to a web browser (app/serve.py).
Bad usage or configuration ends with one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.config import (
    BOUNDS,
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_CONFIG,
    ConfigError,
    Settings,
    default_config_path,
    load_settings,
)

if TYPE_CHECKING:
    from app.live.ranges import Range

PROG = "tinylytics-tui"
_RANGE_HELP = (
    "the range shown at start: 24h, 7d, 30d, 12mo or YYYY-MM-DD..YYYY-MM-DD (UTC days, at most 365)"
)


# The demo server's --scale: 3 gives 100k+ hits in 30 days; far beyond, a day takes too long to
# make and to hold.
MAX_SCALE = 100.0
# `serve --max-sessions`: each tab is a whole app process.
MAX_SESSIONS = 64


def _site_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a numeric site id (the API takes the number, not the site's uid)"
        )
    if len(text) > 19:  # int() refuses 4300 digits and more
        raise argparse.ArgumentTypeError(f"a site id has at most 19 digits, not {len(text)}")
    problem = BOUNDS["site"].problem("a site id", int(text))
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return int(text)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a port (0 to 65535)")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not value > 0:  # NaN too
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _refresh(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    problem = BOUNDS["refresh"].problem("refresh", value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _sessions(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= MAX_SESSIONS:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number from 1 to {MAX_SESSIONS}")
    return int(text)


def _range(text: str) -> Range:
    # Days after today are refused in `main`, which knows the clock a report runs on.
    from app.live.range_arg import parse_range

    try:
        return parse_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _filter(text: str) -> tuple[str, str]:
    from app.live.report import parse_filter

    try:
        return parse_filter(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# Enough to measure what a large account costs; each site's days are made on demand.
MAX_DEMO_SITES = 200


def _site_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= MAX_DEMO_SITES:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of sites (1 to 200)")
    return int(text)


def _scale(text: str) -> float:
    value = _positive_float(text)
    if value > MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SCALE:g}")
    return value


class _Parser(argparse.ArgumentParser):
    """Bad usage is one line, as every other mistake is, not the usage block then the line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def connection_options(*, after_command: bool = False) -> _Parser:
    """The options that say which account and server to use, declared here only: the main
    parser and every subcommand that talks to the API take them as a parent, so they may be
    written before or after the subcommand.

    After a subcommand nothing is set unless given (`argument_default=SUPPRESS`): otherwise the
    subcommand's defaults would overwrite what was given before it.
    """
    options = _Parser(add_help=False, argument_default=argparse.SUPPRESS if after_command else None)
    group = options.add_argument_group("connection options (before or after a command)")
    group.add_argument(
        "--demo", action="store_true", help="run against the built-in demo server (no key needed)"
    )
    group.add_argument(
        "--base-url", metavar="URL", help=f"API base URL (${ENV_BASE_URL}; {DEFAULT_BASE_URL})"
    )
    group.add_argument(
        "--api-key-file", metavar="PATH", help="read the API key from this file (mode 0600)"
    )
    group.add_argument(
        "--account",
        metavar="NAME",
        help="use this account of the config file ([accounts.NAME]; 'default': the top-level key)",
    )
    group.add_argument("--config", metavar="PATH", help=f"config file (${ENV_CONFIG})")
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        parents=[connection_options()],
        prog=PROG,
        description="A full-screen terminal dashboard for your Tinylytics sites.",
        epilog=(
            f"The API key comes from --api-key-file, ${ENV_API_KEY} or api_key in the config file "
            f"({default_config_path()}, or ${ENV_CONFIG}). Precedence: flags > environment > "
            f"config. Try it without a key: {PROG} --demo"
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--site", type=_site_id, metavar="ID", help="open this site (numeric id)")
    parser.add_argument("--range", type=_range, metavar="R", help=_RANGE_HELP)
    parser.add_argument(
        "--refresh",
        type=_refresh,
        metavar="SECONDS",
        help="refresh interval (default 60; 5 to 3600)",
    )
    parser.add_argument("--theme", metavar="NAME", help="colour theme, e.g. nord, gruvbox")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="keep nothing on disk: no cached counts, hits or last screens",
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo-server",
        help="serve the synthetic demo account over HTTP",
        description="Serve a synthetic, living Tinylytics account over HTTP (key: tly-ro-demo).",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    demo.add_argument("--port", type=_port, default=8000, help="port (8000; 0 picks a free one)")
    demo.add_argument("--seed", type=int, default=42, help="seed of the synthetic world (42)")
    demo.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help=(
            "grow the largest site's traffic by this factor (3 gives 100k+ hits in 30 days; "
            f"at most {MAX_SCALE:g})"
        ),
    )
    demo.add_argument(
        "--sites",
        type=_site_count,
        default=5,
        metavar="N",
        help=f"how many sites the account has (5; up to {MAX_DEMO_SITES}, made up beyond 5)",
    )
    _add_report_commands(commands)
    serve = commands.add_parser(
        "serve",
        parents=[connection_options(after_command=True)],
        help="serve the dashboard to a web browser",
        description=(
            "Serve the dashboard to a web browser: each tab runs its own copy of the app, which "
            "reads the API key itself (it never reaches the browser). Loopback only, unless "
            "--allow-remote."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (8000; 0 picks a free one)")
    serve.add_argument(
        "--max-sessions",
        type=_sessions,
        default=4,
        metavar="N",
        help=f"browser tabs served at once (4; at most {MAX_SESSIONS})",
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback: anyone who reaches it sees the account",
    )
    # The app's own options, for every tab; suppressed unless given, as before the command.
    app_options = serve.add_argument_group("the app's options (before or after serve)")
    app_options.add_argument(
        "--site", type=_site_id, metavar="ID", default=argparse.SUPPRESS, help="open this site"
    )
    app_options.add_argument(
        "--range", type=_range, metavar="R", default=argparse.SUPPRESS, help="the range shown"
    )
    app_options.add_argument(
        "--refresh",
        type=_refresh,
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help="refresh interval (default 60; 5 to 3600)",
    )
    app_options.add_argument(
        "--theme", metavar="NAME", default=argparse.SUPPRESS, help="colour theme"
    )
    app_options.add_argument(
        "--no-cache", action="store_true", default=argparse.SUPPRESS, help="keep nothing on disk"
    )
    return parser


def _add_report_commands(commands: Any) -> None:
    from app.live.range_arg import range_words
    from app.live.report import FILTER_FIELDS, WHATS

    connection = connection_options(after_command=True)
    formats = "table (on a terminal), csv (when piped: the default then) or json"
    codes = "Exit codes: 0 printed, 1 the API refused or failed (one line on stderr), 2 bad usage."
    report = commands.add_parser(
        "report",
        parents=[connection],
        help="print a section of one site (for scripts and cron)",
        description=(
            "Print what a section of the dashboard shows for one site, with the dashboard's "
            "numbers, as a table, CSV or JSON. WHAT is one of: "
            + "; ".join(f"{what}: {words}" for what, words in WHATS.items())
            + "."
        ),
        epilog=f"{codes} Example: {PROG} report --site 456 --range 30d pages --format csv",
    )
    report.add_argument("what", choices=list(WHATS), metavar="WHAT", help=", ".join(WHATS))
    # Suppressed unless given: `--site` before the command (the dashboard's) counts too.
    report.add_argument(
        "--site", type=_site_id, metavar="ID", default=argparse.SUPPRESS, help="the numeric id"
    )
    # Suppressed unless given: `--range` before the command counts too.
    report.add_argument(
        "--range",
        type=_range,
        metavar="R",
        default=argparse.SUPPRESS,
        help=f"{range_words()} (default 7d): summary, hits, the panels, journeys",
    )
    report.add_argument(
        "--filter",
        type=_filter,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=(
            f"only hits with this {', '.join(FILTER_FIELDS)} (repeatable): summary, hits, "
            "the panels"
        ),
    )
    report.add_argument("--format", choices=("table", "csv", "json"), help=formats)
    sites = commands.add_parser(
        "sites",
        parents=[connection],
        help="print every site with its id and hits (for scripts and cron)",
        description="Print every site of the account as the Sites table has it.",
        epilog=codes,
    )
    sites.add_argument("--format", choices=("table", "csv", "json"), help=formats)


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def settings_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The command line's part of the settings, for `load_settings`."""
    from app.live.range_arg import range_name

    chosen = getattr(args, "range", None)
    return {
        "config": args.config,
        "account": args.account,
        "api_key_file": args.api_key_file,
        "base_url": args.base_url,
        "site": args.site,
        "range": range_name(chosen) if chosen is not None else None,
        "refresh": args.refresh,
        "theme": args.theme,
        "demo": args.demo,
        "no_cache": args.no_cache,
    }


def main(argv: Sequence[str] | None = None, *, now: Callable[[], datetime] | None = None) -> int:
    """Run the command line; `now` stands in for the clock of a report (tests use the demo's)."""
    args = build_parser().parse_args(argv)
    if args.command == "demo-server":
        from app.demo.server import run_forever

        try:
            run_forever(
                host=args.host, port=args.port, seed=args.seed, scale=args.scale, sites=args.sites
            )
        except OSError as error:
            return _fail(f"cannot serve on {args.host} port {args.port}: {error.strerror or error}")
        return 0
    if args.command == "serve":
        from app.serve import serve_main

        return serve_main(args)

    report = None
    today = (now or (lambda: datetime.now(UTC)))().astimezone(UTC).date()
    if getattr(args, "range", None) is not None:
        from app.live.range_arg import future_problem

        problem = future_problem(args.range, today)
        if problem:
            return _fail(problem)
    if args.command == "report":
        problem, report = _report_request(args)
        if problem:
            return _fail(problem)

    try:
        settings = load_settings(settings_flags(args))
    except ConfigError as exc:
        return _fail(exc.message)
    if args.command in ("report", "sites"):
        if settings.api_key is None and not settings.demo:
            return _fail(
                f"no API key. Set ${ENV_API_KEY}, pass --api-key-file PATH, or put api_key in "
                f"{settings.config_path} (chmod 600). Or try the demo: add --demo"
            )
        from app.report_command import run_report

        return run_report(settings, report, args.format, now=now)
    if settings.api_key is None and not settings.demo and not _interactive():
        # In a terminal the app's first-run screen asks for the key; elsewhere nobody can.
        return _fail(
            f"no API key. Set ${ENV_API_KEY}, pass --api-key-file PATH, or put api_key in "
            f"{settings.config_path} (chmod 600). Or try the demo: {PROG} --demo"
        )
    return run_app(settings)


def _report_request(args: argparse.Namespace) -> tuple[str | None, Any]:
    """The report asked for (an `app.live.report.Request`), or why it cannot be made."""
    from app.live.ranges import RangeKind
    from app.live.report import Request, filters_of, journeys_range_problem, usage_problem

    if args.site is None:
        return f"report needs --site ID (the numeric id: {PROG} sites lists them)", None
    try:
        filters = filters_of(args.filter)
    except ValueError as error:
        return str(error), None
    given = getattr(args, "range", None)
    kind = given or RangeKind.WEEK
    problem = usage_problem(args.what, range_given=given is not None, filters=filters)
    if problem is None and args.what == "journeys":
        problem = journeys_range_problem(kind)
    if problem:
        return problem, None
    return None, Request(args.what, args.site, kind, filters)


# Spellings people use for TEXTUAL_COLOR_SYSTEM, to the names Rich knows (it fails on others).
_COLOR_SYSTEMS = {
    "16": "standard",
    "8": "standard",
    "ansi": "standard",
    "256color": "256",
    "24bit": "truecolor",
    "truecolour": "truecolor",
}
_KNOWN_COLOR_SYSTEMS = {"auto", "standard", "256", "truecolor", "windows"}


def normalise_color_system(environ: dict[str, str] | os._Environ[str]) -> None:
    """Make TEXTUAL_COLOR_SYSTEM one Rich accepts, before Textual reads it at import."""
    value = environ.get("TEXTUAL_COLOR_SYSTEM")
    if value is None:
        return
    wanted = _COLOR_SYSTEMS.get(value.strip().lower(), value.strip().lower())
    environ["TEXTUAL_COLOR_SYSTEM"] = wanted if wanted in _KNOWN_COLOR_SYSTEMS else "auto"


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app(settings: Settings) -> int:
    normalise_color_system(os.environ)
    # Imported here so that `--help`, `--version` and configuration errors stay instant.
    from app.logs import setup_file_logging
    from app.ui.app import TinylyticsApp

    setup_file_logging()

    # With --demo the app starts the demo server itself, once its first frame is out.
    return TinylyticsApp(settings).run_and_report()


if __name__ == "__main__":
    raise SystemExit(main())
