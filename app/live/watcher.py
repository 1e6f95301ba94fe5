"""The uptime watcher behind the alerts: every site's monitor, polled at a low, capped rate.

It sends nothing on its own: the app's loop calls `run_once()`, shows the alerts it returns and
sleeps `seconds_until_due()`. Each site is asked for `GET /sites/:id/uptime?per_page=1` just after
its monitor's next check (`next_check_at`), since nothing can change before then, but never more
often than `floor`, and all sites together never more than `max_per_hour` times in any hour:
with many sites each is asked less often. Sites without a monitor (404) or without the plan
(403) are asked again hourly, in case that changes.

Alerting rules, for a monitor left open for days:
- The first observation of a site that is already down raises one "down" alert: a monitor
  started during an outage should say so. A site that is up raises nothing at first.
- Afterwards "down" on each transition to down and "up" only on down → up. A site seen up twice
  whose downtime count grew in between was down and back between two polls: one "up" alert
  (warning) says so, since a short outage would otherwise go unnoticed.
- An SSL certificate or domain expiring within EXPIRY_DAYS days raises one alert per site and
  kind, and one more if it then expires; a renewal re-arms it.
- A failed poll raises no alert and changes no state: the site's state is kept, marked `stale`,
  the error is kept in `error` until a poll works, and polling backs off.

Message text is made one line without control characters, but it holds API strings (labels,
monitor errors) that may look like markup: show it as literal text.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from app.api import ApiError, NotFound, RateLimited, SubscriptionRequired
from app.api.errors import one_line
from app.durations import MINUTE, words
from app.live.sites import site_label

LABEL_LENGTH = 60

if TYPE_CHECKING:
    from app.api import UptimeResponse
    from app.live.api import LiveApi

State = Literal["up", "down", "paused", "no monitor", "needs plan", "unknown"]
AlertKind = Literal["down", "up", "ssl", "domain"]
# The severities of Textual's notify, so that an alert can be passed on as it is.
Severity = Literal["information", "warning", "error"]

EXPIRY_DAYS = 14
FLOOR = timedelta(minutes=5)
MAX_PER_HOUR = 60
# Sites without a monitor or without the plan: looked at again this rarely.
RARE = timedelta(hours=1)
# A check's result lands a little after its scheduled time.
SLACK = timedelta(seconds=10)
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=15)
HOUR = timedelta(hours=1)
DETAIL_LENGTH = 80


@dataclass(frozen=True)
class SiteUptime:
    """What the watcher last learnt of one site's monitor."""

    site_id: int
    state: State = "unknown"
    # When the current state began, if known: an ongoing downtime's start, or the check that
    # saw the site come back.
    since: datetime | None = None
    status_code: int | None = None
    error: str | None = None  # the monitor's last error, one line (API text: show literally)
    uptime_percent: float | None = None
    ssl_days: int | None = None
    ssl_expired: bool = False
    domain_days: int | None = None
    domain_expired: bool = False
    downtimes: int | None = None  # downtimes ever recorded
    last_check_at: datetime | None = None
    next_check_at: datetime | None = None
    period: int | None = None
    checked_at: datetime | None = None  # when the watcher last got an answer
    stale: bool = False  # the last poll failed: this is older than it should be

    @property
    def summary(self) -> str | None:
        """The Sites screen's word ("up", "down", "no monitor", ...); None while unknown."""
        return None if self.state == "unknown" else self.state


@dataclass(frozen=True)
class Alert:
    site_id: int
    kind: AlertKind
    message: str  # one line, no control characters; may hold markup-like text
    severity: Severity
    at: datetime


def on_the_grid(moment: datetime, step: timedelta) -> datetime:
    """`moment`, or the first multiple of `step` (counted from the epoch) after it. Copies of
    the app on one key then poll a site at the same moment and share the answer (the cache's
    answers), however far apart they started, instead of each polling on its own phase."""
    seconds = step.total_seconds()
    if seconds <= 0:
        return moment
    stamp = moment.timestamp()
    return moment + timedelta(seconds=math.ceil(stamp / seconds) * seconds - stamp)


class UptimeWatcher:
    """Every site's uptime state, kept fresh within a small request budget; raises alerts."""

    def __init__(
        self,
        client: LiveApi,
        *,
        now: Callable[[], datetime],
        label: Callable[[int], str | None] | None = None,
        max_per_hour: int = MAX_PER_HOUR,
        floor: timedelta = FLOOR,
    ) -> None:
        if max_per_hour < 1:
            raise ValueError("max_per_hour must be at least 1")
        # Public so that the app can hand over a new client when the key changes.
        self.client = client
        self.max_per_hour = max_per_hour
        self.floor = floor
        self.states: dict[int, SiteUptime] = {}
        # The last failed poll's error; None once a poll works again.
        self.error: ApiError | None = None
        self.requests = 0  # polls sent by this watcher
        self._now = now
        self._label = label
        self._due: dict[int, datetime] = {}
        self._sent: deque[datetime] = deque()
        self._failures = 0  # consecutive failed polls, any site
        self._site_failures: dict[int, int] = {}
        self._retry_at: datetime | None = None
        # Expiry alerts raised per site: 1 for "soon", 2 for "expired".
        self._alerted: dict[tuple[int, str], int] = {}

    # -- the sites -------------------------------------------------------------------------------

    def set_sites(self, site_ids: Iterable[int]) -> None:
        """Watch exactly these sites: new ones are due at once, gone ones are forgotten."""
        wanted = list(dict.fromkeys(site_ids))
        now = self._now()
        for gone in set(self._due) - set(wanted):
            del self._due[gone]
            self.states.pop(gone, None)
            self._site_failures.pop(gone, None)
            for key in [k for k in self._alerted if k[0] == gone]:
                del self._alerted[key]
        for site_id in wanted:
            self._due.setdefault(site_id, now)

    @property
    def site_ids(self) -> list[int]:
        return list(self._due)

    def due_at(self, site_id: int) -> datetime | None:
        """When the site will next be asked (before the backoff and the hourly cap)."""
        return self._due.get(site_id)

    # -- scheduling ------------------------------------------------------------------------------

    def interval(self) -> timedelta:
        """The shortest time between two polls of a monitored site: the floor, or longer when
        there are so many sites that the hourly cap has to be shared out."""
        rare = sum(1 for s in self._due if self._is_rare(s))
        monitored = len(self._due) - rare
        per_hour = max(1, self.max_per_hour - rare)
        return max(self.floor, HOUR * (monitored / per_hour))

    def next_due(self) -> datetime:
        """When `run_once` will next have something to ask (may be in the past: due now)."""
        now = self._now()
        if not self._due:
            return now + RARE
        when = min(self._due.values())
        if self._retry_at is not None:
            when = max(when, self._retry_at)
        self._forget_old(now)
        if len(self._sent) >= self.max_per_hour:
            when = max(when, self._sent[0] + HOUR)
        return when

    def seconds_until_due(self) -> float:
        return max(0.0, (self.next_due() - self._now()).total_seconds())

    def _forget_old(self, now: datetime) -> None:
        while self._sent and self._sent[0] <= now - HOUR:
            self._sent.popleft()

    def _is_rare(self, site_id: int) -> bool:
        state = self.states.get(site_id)
        return state is not None and state.state in ("no monitor", "needs plan")

    def _next_poll(self, state: SiteUptime, base: datetime) -> datetime:
        """The next poll of a site, from when this one was scheduled (`base`): on time for the
        first check that gives at least `interval()` between the two.

        Every copy of the app on a key picks the same moments (the same checks of the monitor's
        grid, or the interval's own grid without one), so that their polls of a site coincide
        and share one answer, however far apart the copies started."""
        if state.state in ("no monitor", "needs plan"):
            return on_the_grid(base + RARE, RARE)
        interval = self.interval()
        earliest = base + interval
        check, period = state.next_check_at, state.period
        if check is None or check < base:
            # No schedule, or a monitor behind its own schedule: just keep the spacing.
            return on_the_grid(earliest, interval)
        try:
            if period and period > 0:
                if check + SLACK < earliest:
                    # The first check on the monitor's grid whose result lands after `earliest`.
                    steps = math.ceil((earliest - SLACK - check).total_seconds() / period)
                    check += timedelta(seconds=steps * period)
                # Of checks closer together than the interval, every n-th one by its place on
                # the grid, which every copy of the app counts alike.
                every = max(1, math.ceil(interval.total_seconds() / period))
                place = math.floor(check.timestamp() / period + 0.5)
                check += timedelta(seconds=(-place % every) * period)
            landed = check + SLACK
        except OverflowError:
            # The models keep the API's dates and periods in a sane window; a schedule that
            # still runs off the calendar is no schedule: keep the spacing.
            return earliest
        # A monitor whose next check is far off (paused?) is still looked at hourly.
        return min(max(earliest, landed), max(earliest, base + RARE))

    # -- polling ---------------------------------------------------------------------------------

    async def run_once(self) -> list[Alert]:
        """Ask every site that is due, as far as the hourly cap allows; never raises ApiError.
        Stops at the first failed poll (the API is likely down for all sites). One loop calls
        this, never two at once."""
        now = self._now()
        if self._retry_at is not None and now < self._retry_at:
            return []
        due = sorted((when, i) for i, when in self._due.items() if when <= now)
        alerts: list[Alert] = []
        for scheduled, site_id in due:
            sent = self._now()
            self._forget_old(sent)
            if len(self._sent) >= self.max_per_hour:
                break
            self._sent.append(sent)
            self.requests += 1
            try:
                answer: UptimeResponse | ApiError = await self.client.uptime(site_id, per_page=1)
            except (NotFound, SubscriptionRequired) as missing:
                answer = missing
            except ApiError as error:
                self._failed(site_id, error)
                break
            if site_id in self._due:  # set_sites may have dropped it meanwhile
                # A wake-up a little late must not push the whole schedule later.
                base = scheduled if sent - scheduled <= SLACK else sent
                alerts += self._take(site_id, answer, base)
        return alerts

    def _failed(self, site_id: int, error: ApiError) -> None:
        now = self._now()
        self.error = error
        self._failures += 1
        site_failures = self._site_failures.get(site_id, 0) + 1
        self._site_failures[site_id] = site_failures
        pause = _backoff(self._failures)
        if isinstance(error, RateLimited) and error.retry_after:
            pause = max(pause, timedelta(seconds=error.retry_after))
        self._retry_at = now + pause
        if site_id not in self._due:  # dropped by set_sites while it was being asked
            return
        # One site that keeps failing must not hold up the others, nor be asked more often.
        self._due[site_id] = now + max(self.floor, _backoff(site_failures), pause)
        state = self.states.get(site_id, SiteUptime(site_id))
        self.states[site_id] = replace(state, stale=True)

    def record(self, site_id: int, result: UptimeResponse | ApiError) -> list[Alert]:
        """Take in one answer for a site (or its 404/403 as an error), whoever asked for it:
        update its state, schedule its next poll and return the alerts it raises. The Uptime
        screen may hand its own answers in here, saving the watcher a request."""
        return self._take(site_id, result, self._now())

    def _take(self, site_id: int, result: UptimeResponse | ApiError, base: datetime) -> list[Alert]:
        now = self._now()
        previous = self.states.get(site_id)
        if isinstance(result, ApiError):
            if not isinstance(result, (NotFound, SubscriptionRequired)):
                self._failed(site_id, result)
                return []
            state = _missing(site_id, result, previous, now)
            alerts: list[Alert] = []
        else:
            state = _observed(site_id, result, previous, now)
            alerts = self._transitions(previous, state, result, now)
            alerts += self._expiry(state, now)
        self.states[site_id] = state
        self.error = None
        self._failures = 0
        self._retry_at = None
        self._site_failures.pop(site_id, None)
        if site_id in self._due:
            self._due[site_id] = self._next_poll(state, base)
        return alerts

    # -- alerts ----------------------------------------------------------------------------------

    def _name(self, site_id: int) -> str:
        found = self._label(site_id) if self._label is not None else None
        return one_line(site_label(site_id, found, None), LABEL_LENGTH)

    def _transitions(
        self,
        previous: SiteUptime | None,
        state: SiteUptime,
        answer: UptimeResponse,
        now: datetime,
    ) -> list[Alert]:
        was = previous.state if previous is not None else None
        name = self._name(state.site_id)
        if state.state == "down" and was != "down":
            what = one_line(state.error or "", DETAIL_LENGTH) or (
                f"HTTP {state.status_code}" if state.status_code else ""
            )
            lasting = _for(state.since, now)
            message = f"{name} is down" + (f" for {lasting}" if lasting else "")
            message += f": {what}" if what else ""
            return [Alert(state.site_id, "down", message, "error", now)]
        if state.state == "up" and was == "down":
            assert previous is not None
            lasting = _for(previous.since, state.last_check_at or now)
            message = f"{name} is back up" + (f" after {lasting}" if lasting else "")
            return [Alert(state.site_id, "up", message, "information", now)]
        grew = (
            state.state == "up"
            and was == "up"
            and previous is not None
            and previous.downtimes is not None
            and state.downtimes is not None
            and state.downtimes > previous.downtimes
        )
        if grew:
            assert previous is not None and previous.downtimes is not None
            message = f"{name} was down and is back up"
            newest = answer.downtimes[0] if answer.downtimes else None
            if newest is not None and newest.ended_at is not None and newest.started_at:
                # Only if that row is the outage just missed (the order of rows is not
                # documented): it began after the check the previous poll saw.
                after = previous.last_check_at or previous.checked_at
                if after is not None and newest.started_at >= after:
                    lasting = _for(newest.started_at, newest.ended_at)
                    detail = one_line(newest.error or "", DETAIL_LENGTH)
                    message = f"{name} was down" + (f" for {lasting}" if lasting else "")
                    message += (f" ({detail})" if detail else "") + " and is back up"
            return [Alert(state.site_id, "up", message, "warning", now)]
        return []

    def _expiry(self, state: SiteUptime, now: datetime) -> list[Alert]:
        alerts: list[Alert] = []
        checks: tuple[tuple[AlertKind, str, int | None, bool], ...] = (
            ("ssl", "SSL certificate", state.ssl_days, state.ssl_expired),
            ("domain", "domain", state.domain_days, state.domain_expired),
        )
        for kind, thing, days, expired in checks:
            level = 2 if expired else 1 if days is not None and days <= EXPIRY_DAYS else 0
            key = (state.site_id, kind)
            if level == 0:
                if days is not None:  # renewed (not merely left out): the next approach alerts
                    self._alerted.pop(key, None)
                continue
            if level <= self._alerted.get(key, 0):
                continue
            self._alerted[key] = level
            name = self._name(state.site_id)
            if level == 2:
                alerts.append(
                    Alert(state.site_id, kind, f"{name}: {thing} has expired", "error", now)
                )
            else:
                assert days is not None
                when = "today" if days <= 0 else "in 1 day" if days == 1 else f"in {days} days"
                message = f"{name}: {thing} expires {when}"
                alerts.append(Alert(state.site_id, kind, message, "warning", now))
        return alerts


# -- reading answers -----------------------------------------------------------------------------


def _observed(
    site_id: int, answer: UptimeResponse, previous: SiteUptime | None, now: datetime
) -> SiteUptime:
    monitor = answer.monitor
    ongoing = next(
        (d for d in answer.downtimes if d.ongoing or (d.ongoing is None and d.ended_at is None)),
        None,
    )
    state: State
    if monitor.enabled is False or monitor.auto_paused:
        state = "paused"
    elif monitor.is_down is not None:
        state = "down" if monitor.is_down else "up"
    elif answer.downtimes or answer.summary is not None:
        state = "down" if ongoing is not None else "up"
    else:
        state = "unknown"
    was = previous.state if previous is not None else None
    since: datetime | None
    if state == "down":
        since = ongoing.started_at if ongoing is not None else None
        if since is None and was == "down" and previous is not None:
            since = previous.since
    elif state == was and previous is not None:
        since = previous.since
    elif was is not None and was != "unknown":
        since = monitor.last_check_at or now
    else:
        since = None
    error = None
    if state == "down":
        error = one_line(monitor.last_error_message or monitor.status_description or "")
    ssl, domain = monitor.ssl, monitor.domain
    ssl_days = domain_days = None
    if ssl is not None:
        ssl_days = _days(ssl.days_until_expiry, ssl.expires_at, now)
    if domain is not None:
        remaining = domain.days_until_expiry
        domain_days = _days(
            remaining if remaining is not None else domain.remaining_days, domain.expires_at, now
        )
    summary = answer.summary
    return SiteUptime(
        site_id=site_id,
        state=state,
        since=since,
        status_code=monitor.last_status_code,
        error=error or None,
        uptime_percent=monitor.uptime,
        ssl_days=ssl_days,
        ssl_expired=ssl is not None and _expired(ssl.expired, ssl_days),
        domain_days=domain_days,
        domain_expired=domain is not None and _expired(domain.expired, domain_days),
        downtimes=summary.total_downtimes if summary is not None else None,
        last_check_at=monitor.last_check_at,
        next_check_at=monitor.next_check_at,
        period=monitor.period,
        checked_at=now,
    )


def _missing(
    site_id: int, error: ApiError, previous: SiteUptime | None, now: datetime
) -> SiteUptime:
    state: State = "no monitor" if isinstance(error, NotFound) else "needs plan"
    same = previous is not None and previous.state == state
    since = previous.since if same and previous is not None else now
    return SiteUptime(site_id, state, since=since, checked_at=now)


def _days(days: int | None, expires_at: datetime | None, now: datetime) -> int | None:
    if days is not None:
        return days
    if expires_at is not None:
        return math.floor((expires_at - now).total_seconds() / 86400)
    return None


def _expired(flag: bool | None, days: int | None) -> bool:
    return bool(flag) or (days is not None and days < 0)


def _backoff(failures: int) -> timedelta:
    # The exponent is bounded: a long outage must not overflow timedelta.
    return min(RETRY_MAX, RETRY_FIRST * (1 << min(max(0, failures - 1), 10)))


def _for(start: datetime | None, end: datetime) -> str:
    """'40 minutes', '3 hours 5 minutes', '2 days'; empty when unknown or under a minute."""
    if start is None or (end - start).total_seconds() < MINUTE:
        return ""
    return words((end - start).total_seconds(), smallest="minute")
