"""Properties: unknown fields never change what is read, and nullable fields may always be null."""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AliasChoices, BaseModel

import app.api.models as models
from app.api import (
    GroupedHitsResponse,
    HitsResponse,
    InsightsResponse,
    LeaderboardResponse,
    MeResponse,
    SiteResponse,
    SitesResponse,
    UptimeResponse,
    UserJourneysResponse,
)
from tests.api.helpers import fixture

Path = tuple[str | int, ...]

CASES: list[tuple[type[BaseModel], Any]] = [
    (MeResponse, fixture("me")),
    (SitesResponse, fixture("sites")),
    (SiteResponse, fixture("site")),
    (SiteResponse, fixture("site")["site"]),
    (HitsResponse, fixture("hits")),
    (GroupedHitsResponse, fixture("grouped_hits")),
    (
        GroupedHitsResponse,
        {
            "grouped_hits": [
                {"path": "/", "views": 5, "unique_views": 4},
                {"path": "/a", "views": 1},
            ]
        },
    ),
    (LeaderboardResponse, fixture("leaderboard")),
    (UserJourneysResponse, fixture("user_journeys")),
    (InsightsResponse, fixture("insights")),
    (UptimeResponse, fixture("uptime")),
]
IDS = [
    "me",
    "sites",
    "site",
    "site-unwrapped",
    "hits",
    "grouped",
    "grouped-views",
    "leaderboard",
    "journeys",
    "insights",
    "uptime",
]

# Blocks that are not declared Optional but are documented to take null: the lists and the
# pagination default to empty / a single page.
NULL_TOLERANT = {"pagination", "downtimes", "pages", "top_entry_pages", "top_exit_pages"}


def _model_classes() -> Iterator[type[BaseModel]]:
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            yield value


def _known_names() -> set[str]:
    """Every field name and alias of every model, and the keys grouped rows are read from."""
    names: set[str] = {"field", "value", "user", "site", "id", "email"}
    for model in _model_classes():
        for name, info in model.model_fields.items():
            names.add(name)
            if isinstance(info.validation_alias, AliasChoices):
                names.update(str(c) for c in info.validation_alias.choices)
    names.update(models._GROUP_KEYS, models._COUNT_KEYS, models._UNIQUE_KEYS)
    return names


KNOWN = _known_names()


def _unwrap(annotation: Any) -> tuple[bool, Any]:
    """(admits None, the annotation without None)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return len(rest) < len(args), rest[0] if len(rest) == 1 else annotation
    return False, annotation


def _field_for(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        if key == name or (isinstance(alias, AliasChoices) and key in alias.choices):
            return info
    return None


def nullable_paths(model: type[BaseModel], data: Any, at: Path = ()) -> Iterator[Path]:
    """Paths into `data` of every value that the model declares may be null."""
    if not isinstance(data, dict):
        return
    if model is SiteResponse and "site" not in data:
        yield from nullable_paths(models.Site, data, at)
        return
    if model is MeResponse and "user" not in data:
        yield from nullable_paths(models.User, data, at)
        return
    for key, value in data.items():
        info = _field_for(model, key)
        if info is None:
            continue
        optional, inner = _unwrap(info.annotation)
        if optional or key in NULL_TOLERANT:
            yield (*at, key)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from nullable_paths(inner, value, (*at, key))
        elif typing.get_origin(inner) is list and isinstance(value, list):
            (item,) = typing.get_args(inner)
            if isinstance(item, type) and issubclass(item, BaseModel):
                for index, element in enumerate(value):
                    yield from nullable_paths(item, element, (*at, key, index))


def dict_paths(data: Any, at: Path = ()) -> Iterator[Path]:
    """Paths of every JSON object in `data`, where an unknown field could appear."""
    if isinstance(data, dict):
        yield at
        for key, value in data.items():
            yield from dict_paths(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from dict_paths(value, (*at, index))


def at_path(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
extra_names = st.text(min_size=1, max_size=16).filter(lambda k: k not in KNOWN)
fast = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_walker_finds_the_field_notes_nullables() -> None:
    paths = set(nullable_paths(UptimeResponse, fixture("uptime")))
    assert {("monitor", "ssl"), ("monitor", "domain"), ("downtimes", 0, "ended_at")} <= paths
    assert ("downtimes", 0, "duration") in paths
    journeys = set(nullable_paths(UserJourneysResponse, fixture("user_journeys")))
    assert ("summary", "bounce_rate") in journeys
    insights = set(nullable_paths(InsightsResponse, fixture("insights")))
    assert ("site", "next_insight_job_scheduled_at") in insights
    hits = set(nullable_paths(HitsResponse, fixture("hits")))
    for name in ("referrer", "country", "browser_name", "platform_name", "is_mobile"):
        assert ("hits", 0, name) in hits
    assert ("hits", 0, "created_at") not in hits


@pytest.mark.parametrize(("model", "data"), CASES, ids=IDS)
@fast
@given(st.data())
def test_extra_fields_never_change_what_is_read(
    model: type[BaseModel], data: Any, draw: st.DataObject
) -> None:
    expected = model.model_validate(data)
    changed = copy.deepcopy(data)
    objects = list(dict_paths(changed))
    for _ in range(draw.draw(st.integers(1, 6))):
        target = at_path(changed, draw.draw(st.sampled_from(objects)))
        target[draw.draw(extra_names)] = draw.draw(json_values)
    assert model.model_validate(changed) == expected


@pytest.mark.parametrize(("model", "data"), CASES, ids=IDS)
@fast
@given(st.data())
def test_nullable_fields_may_be_null(
    model: type[BaseModel], data: Any, draw: st.DataObject
) -> None:
    candidates = sorted(nullable_paths(model, data), key=str)
    if not candidates:
        return
    chosen = draw.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=8, unique=True))
    changed = copy.deepcopy(data)
    # Deepest first, so that nulling a block does not hide a path inside it.
    for path in sorted(chosen, key=len, reverse=True):
        at_path(changed, path[:-1])[path[-1]] = None
    answer: Any = model.model_validate(changed)
    if model is SiteResponse and "site" not in data:
        answer = answer.site
    for path in chosen:
        value = read(answer, path)
        if value is GONE:
            continue
        if path[-1] == "pagination":
            assert value.total_pages == 1
        elif path[-1] in NULL_TOLERANT:
            assert value == []
        else:
            assert value is None


GONE = object()


def read(answer: Any, path: Path) -> Any:
    """The model's value at a data path; GONE when a block above it was nulled too."""
    value = answer
    for step in path:
        if value is None or value == []:
            return GONE
        if isinstance(step, int):
            value = value[step]
        else:
            # A key read under an alias ("views" for hit_count) is the field it fills.
            names = type(value).model_fields if isinstance(value, BaseModel) else {}
            name = next(
                (n for n, info in names.items() if _field_for(type(value), str(step)) is info),
                str(step),
            )
            value = getattr(value, name)
    return value
