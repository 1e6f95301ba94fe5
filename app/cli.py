"""Command line: `tinylytics-tui [options]` runs the dashboard, `tinylytics-tui demo-server` serves
the demo. Bad usage or configuration ends with one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

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

PROG = "tinylytics-tui"


# The demo server's --scale: 3 gives 100k+ hits in 30 days; far beyond, a day takes too long to
# make and to hold.
MAX_SCALE = 100.0


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


def _scale(text: str) -> float:
    value = _positive_float(text)
    if value > MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SCALE:g}")
    return value


class _Parser(argparse.ArgumentParser):
    """Bad usage is one line, as every other mistake is, not the usage block then the line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A full-screen terminal dashboard for your Tinylytics sites.",
        epilog=(
            f"The API key comes from --api-key-file, ${ENV_API_KEY} or api_key in the config file "
            f"({default_config_path()}, or ${ENV_CONFIG}). Precedence: flags > environment > "
            f"config. Try it without a key: {PROG} --demo"
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run against the built-in demo server (no key needed)"
    )
    parser.add_argument("--site", type=_site_id, metavar="ID", help="open this site (numeric id)")
    parser.add_argument(
        "--base-url", metavar="URL", help=f"API base URL (${ENV_BASE_URL}; {DEFAULT_BASE_URL})"
    )
    parser.add_argument(
        "--api-key-file", metavar="PATH", help="read the API key from this file (mode 0600)"
    )
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
    parser.add_argument("--config", metavar="PATH", help=f"config file (${ENV_CONFIG})")

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
    return parser


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def settings_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The command line's part of the settings, for `load_settings`."""
    return {
        "config": args.config,
        "api_key_file": args.api_key_file,
        "base_url": args.base_url,
        "site": args.site,
        "refresh": args.refresh,
        "theme": args.theme,
        "demo": args.demo,
        "no_cache": args.no_cache,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo-server":
        from app.demo.server import run_forever

        try:
            run_forever(host=args.host, port=args.port, seed=args.seed, scale=args.scale)
        except OSError as error:
            return _fail(f"cannot serve on {args.host} port {args.port}: {error.strerror or error}")
        return 0

    try:
        settings = load_settings(settings_flags(args))
    except ConfigError as exc:
        return _fail(exc.message)
    if settings.api_key is None and not settings.demo and not _interactive():
        # In a terminal the app's first-run screen asks for the key; elsewhere nobody can.
        return _fail(
            f"no API key. Set ${ENV_API_KEY}, pass --api-key-file PATH, or put api_key in "
            f"{settings.config_path} (chmod 600). Or try the demo: {PROG} --demo"
        )
    return run_app(settings)


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
