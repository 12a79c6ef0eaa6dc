"""The episode page's charts, built from the episode view model, so the route stays thin.

Every chart runs over the same x axis, the visits by number, so the pain, the
measures and the weekly running line up when read together; the tables give
each visit's date. Texts go through ``gettext`` (the route passes Flask-Babel's;
the default leaves them in English).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..reports.charts import Chart, Series, bar_chart, line_chart, number, round_up
from ..reports.progress import distance_in

Gettext = Callable[[str], str]


def _same(text: str) -> str:
    return text


def chart_set(episode: Mapping[str, Any], *, gettext: Gettext | None = None) -> list[Chart]:
    """Pain, then one chart per outcome measure scored, then planned against completed running.

    A measure is charted once a visit has scored it (offered but never scored:
    no chart; the page says "not scored yet"). Its
    band is the MCID either side of the first recorded score: a later score
    outside it is a change that matters (which way is better is the measure's).
    """
    _ = gettext or _same
    visits: Sequence[Mapping[str, Any]] = episode.get("visits") or []
    ticks = [str(v.get("number", i + 1)) for i, v in enumerate(visits)]
    rows = [_("%(number)s (%(date)s)") % {"number": tick, "date": v.get("date") or ""}
            for tick, v in zip(ticks, visits, strict=True)]
    missing = _("Not recorded")
    charts = [line_chart(
        [Series(_("Pain now"), [v.get("pain_now") for v in visits]),
         Series(_("Pain during running"), [v.get("pain_during_run") for v in visits])],
        x_labels=ticks, y_min=0, y_max=10, title=_("Pain at each visit"),
        y_label=_("Pain (0 to 10)"), id_prefix="ai-chart-pain", x_label=_("Visit"),
        row_labels=rows, missing=missing,
    )]
    for key in _measure_keys(episode, visits):
        if any(((v.get("measures") or {}).get(key) or {}).get("score") is not None
               for v in visits):
            charts.append(_measure_chart(key, visits, ticks, rows, missing, _))
    unit, planned, completed = _running(visits)
    if unit:
        y_label = _("Distance in the week before the visit (%(unit)s)") % {"unit": unit}
    else:  # the values are distances all the same; only their unit is not known
        y_label = _("Distance in the week before the visit")
    charts.append(bar_chart(
        ticks, [Series(_("Planned"), planned), Series(_("Completed"), completed)],
        title=_("Weekly running: planned against completed"), y_label=y_label,
        id_prefix="ai-chart-running", x_label=_("Visit"), row_labels=rows, missing=missing,
    ))
    return charts


def _running(visits: Sequence[Mapping[str, Any]]
             ) -> tuple[str | None, list[float | None], list[float | None]]:
    """The unit of the running bars and the planned and completed values in it.

    A visit may give a distance ``unit`` ("km" or "mi") for its planned and
    completed values; the bars use the last visit's, converting the others
    (1 mi = 1.609344 km, by definition). No unit anywhere: the values as given.
    """
    units = [v.get("unit") for v in visits if v.get("unit")]
    unit = units[-1] if units else None

    def value(visit: Mapping[str, Any], key: str) -> float | None:
        return distance_in(visit, key, unit) if unit else visit.get(key)

    return (unit, [value(v, "planned_distance") for v in visits],
            [value(v, "completed_distance") for v in visits])


def _measure_keys(episode: Mapping[str, Any],
                  visits: Sequence[Mapping[str, Any]]) -> list[str]:
    keys = list(dict.fromkeys(episode.get("offered_measures") or []))
    for visit in visits:
        keys.extend(k for k in (visit.get("measures") or {}) if k not in keys)
    return keys


def _measure_chart(key: str, visits: Sequence[Mapping[str, Any]], ticks: list[str],
                   rows: list[str], missing: str, _: Gettext) -> Chart:
    entries = [(visit.get("measures") or {}).get(key) or {} for visit in visits]
    meta: Mapping[str, Any] = next((e for e in reversed(entries) if e), {})
    short = str(meta.get("short") or meta.get("name") or key.replace("_", " ").upper())
    name = str(meta.get("name") or short)
    unit = str(meta.get("unit") or "")
    scores = [e.get("score") for e in entries]
    top = meta.get("max")
    if top is not None:
        y_label = _("%(measure)s score (0 to %(max)s %(unit)s)") % {
            "measure": short, "max": number(top), "unit": unit}
    else:  # no published range given: the axis only spans the scores
        top = round_up(max(s for s in scores if s is not None))
        y_label = _("%(measure)s score") % {"measure": short}
    band, band_label = None, ""
    mcid = meta.get("mcid")
    first = next((s for s in scores if s is not None), None)
    if mcid and first is not None:
        band = (first - mcid, first + mcid)
        band_label = _("Within %(mcid)s %(unit)s of the first score (MCID)") % {
            "mcid": number(mcid), "unit": unit or _("points")}
    return line_chart(
        [Series(short, scores)], x_labels=ticks, y_min=float(meta.get("min") or 0),
        y_max=float(top), title=name, band=band, band_label=band_label, y_label=y_label,
        id_prefix=f"ai-chart-measure-{_slug(key)}", x_label=_("Visit"), row_labels=rows,
        missing=missing,
    )


def _slug(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in key) or "measure"


__all__ = ["chart_set"]
