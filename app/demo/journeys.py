"""User journeys: the sessions behind the hits, as the /user_journeys endpoint tells them.

The list holds multi-page visitors only (the contract's example has pagination.total_count
equal to multi_page_visitors), newest first; the summary and top pages count every visitor.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from app.demo.formats import session_duration, stamp_of_day

if TYPE_CHECKING:
    from app.demo.world import Site, World


def journeys_answer(
    world: World, site: Site, first: date, last: date, page: int, per_page: int, hostile: bool
) -> dict[str, Any]:
    now = world.clock.now()
    name = site.traffic.path_name
    with world.lock:
        views = list(world.views(site, first, last, now))
        visitors = sum(v.sessions for v in views)
        multi = sum(v.multi for v in views)
        entries: Counter[int] = Counter()
        exits: Counter[int] = Counter()
        for view in views:
            entry_counts, exit_counts = view.entry_exit_counts()
            entries.update({pid: n for pid, n in enumerate(entry_counts) if n})
            exits.update({pid: n for pid, n in enumerate(exit_counts) if n})

        journeys: list[dict[str, Any]] = []
        skip = (page - 1) * per_page
        for view in reversed(views):
            if len(journeys) >= per_page:
                break
            if skip >= view.multi:
                skip -= view.multi
                continue
            hits = view.hits()
            counts = view.session_counts()
            sessions = [s for s, n in counts.items() if n > 1]
            # Newest first: by when the visit began, then by session for a stable order.
            sessions.sort(key=lambda s: (hits.session_start(s), s), reverse=True)
            for s in sessions[skip : skip + per_page - len(journeys)]:
                pages = hits.session_pages(s)[: counts[s]]
                visited = [
                    {"path": name(pid, hostile), "visited_at": stamp_of_day(view.date, t)}
                    for pid, t in pages
                ]
                journeys.append(
                    {
                        "visitor_hash": hits.day.visitor_hash(s),
                        "page_count": len(visited),
                        "pages": visited,
                        "entry_page": visited[0]["path"],
                        "exit_page": visited[-1]["path"],
                        "session_duration": session_duration(pages[-1][1] - pages[0][1]),
                    }
                )
            skip = 0

    def top(counter: Counter[int]) -> list[dict[str, Any]]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], name(kv[0], hostile)))[:5]
        return [{"path": name(pid, hostile), "visitors": n} for pid, n in ranked]

    single = visitors - multi
    return {
        "user_journeys": journeys,
        "summary": {
            "total_visitors": visitors,
            "multi_page_visitors": multi,
            "single_page_visitors": single,
            "bounce_rate": round(single / visitors * 100, 1) if visitors else None,
        },
        "insights": {"top_entry_pages": top(entries), "top_exit_pages": top(exits)},
        "total": multi,
    }
