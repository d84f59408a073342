"""HTML rendering: the Jinja2 environment, number formats, URLs that keep the view's state.

The view state (definition, fiscal year, from/to dates) lives in the query string, so a link
reproduces the view; :class:`View` builds links that keep it.
"""

from __future__ import annotations

import calendar
import gettext
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import markdown
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from asylumstats.metrics import DEFINITIONS, Filters
from asylumstats.metrics.definitions import SMALL_SAMPLE
from asylumstats.metrics.dimensions import court_label
from asylumstats.metrics.filters import ASYLUM_TYPES, CODE_FILTERS
from asylumstats.metrics.intervals import wilson
from asylumstats.model.appeals import BIA_OUTCOMES
from asylumstats.web.i18n import DEFAULT, HTML_LANG, LANGUAGES, localized, translations

#: Definitions offered by the switch on every page (others are accepted in the URL).
SWITCH_DEFINITIONS: tuple[str, ...] = ("merits", "eoir", "case", "protection")

#: A page of one entity → the filter that page does not take (the entity itself).
_OWN_FILTER: dict[str, str] = {
    "/judges/": "judge",
    "/courts/": "court",
    "/nationalities/": "nationality",
    "/languages/": "language",
}


def pct(value: float | None, digits: int = 1) -> str:
    """``0.2345`` → ``23.5%``; null → an em dash."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def interval(row: dict[str, Any] | None) -> str:
    """The 95% interval of a rate row, e.g. ``18.0–29.3%``."""
    if not row or row.get("ci_low") is None:
        return "—"
    return f"{row['ci_low'] * 100:.1f}–{row['ci_high'] * 100:.1f}%"


def signed_pp(value: float | None) -> str:
    """A rate difference in percentage points, e.g. ``+4.2 pp``."""
    if value is None:
        return "—"
    return f"{value * 100:+.1f} pp"


def period_words(period: str | None, tr: gettext.NullTranslations | None = None) -> str:
    """``"2010-01-01..2024-12-31"`` → ``"2010-01-01 to 2024-12-31"``; an open end in words."""
    _ = (tr or gettext.NullTranslations()).gettext
    start, _sep, end = (period or "").partition("..")
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("since %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return _("all dates")


def change_words(row: dict[str, Any] | None, tr: gettext.NullTranslations | None = None) -> str:
    """A change row's difference and interval in one plain sentence."""
    _ = (tr or gettext.NullTranslations()).gettext
    if not row or row.get("difference") is None:
        return _("No difference can be computed: one period has no decisions.")
    diff, low, high = row["difference"], row.get("diff_ci_low"), row.get("diff_ci_high")
    size = {"points": f"{abs(diff) * 100:.1f}"}
    if diff > 0:
        text = _("The grant rate is %(points)s percentage points higher now than in the baseline")
    elif diff < 0:
        text = _("The grant rate is %(points)s percentage points lower now than in the baseline")
    else:
        text = _("The grant rate is the same now as in the baseline")
    text = text % size
    if low is None or high is None:
        return text + "."
    text += " " + _("(95%% interval %(low)s to %(high)s points).") % {
        "low": f"{low * 100:+.1f}",
        "high": f"{high * 100:+.1f}",
    }
    if low <= 0 <= high:
        text += " " + _("The interval includes zero: the data do not show a real change.")
    return text


@pass_context
def _period_words(ctx: Context, period: str | None) -> str:
    return period_words(period, translations(ctx.resolve("LANG")))


@pass_context
def _change_words(ctx: Context, row: dict[str, Any] | None) -> str:
    return change_words(row, translations(ctx.resolve("LANG")))


def quarter_window(quarter: str) -> dict[str, str]:
    """``"2024-Q2"`` → ``{"from": "2024-04-01", "to": "2024-06-30"}`` (for counts links)."""
    year, q = int(quarter[:4]), int(quarter[-1])
    last_month = q * 3
    last = calendar.monthrange(year, last_month)[1]
    return {
        "from": f"{year:04d}-{last_month - 2:02d}-01",
        "to": f"{year:04d}-{last_month:02d}-{last:02d}",
    }


def board_outcomes(row: dict[str, Any], party: str) -> dict[str, Any]:
    """What the Board decided on one side's appeals of an appeals row: each outcome's count
    and its share of the appealed decisions with a 95% Wilson interval."""
    counts = [(o, int(row.get(f"{party}_appeals_{o}") or 0)) for o in BIA_OUTCOMES]
    total = sum(n for _, n in counts)
    rows = []
    for outcome, n in counts:
        low, high = wilson(n, total)
        share = n / total if total else None
        rows.append(
            {"outcome": outcome, "count": n, "share": share, "ci_low": low, "ci_high": high}
        )
    return {"total": total, "rows": rows}


def number(value: Any) -> str:
    """An integer with thousands separators."""
    if value is None:
        return "—"
    return f"{int(value):,}"


def spec_json(spec: dict[str, Any]) -> Markup:
    """A chart spec for a ``<script type="application/json">`` block (``<``, ``>`` escaped)."""
    text = json.dumps(spec, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above; a data block, never executed


def path_code(code: str) -> str:
    """A code as a URL path segment (``??`` → ``%3F%3F``)."""
    return quote(code or "", safe="")


def month_window(month: str) -> dict[str, str]:
    """``"2024-02"`` → ``{"from": "2024-02-01", "to": "2024-02-29"}`` (for counts links)."""
    year, mon = int(month[:4]), int(month[5:7])
    last = calendar.monthrange(year, mon)[1]
    return {"from": f"{year:04d}-{mon:02d}-01", "to": f"{year:04d}-{mon:02d}-{last:02d}"}


@dataclass
class View:
    """The state of one page view: definition and date window, from the query string."""

    path: str
    definition: str = "merits"
    filters: Filters = field(default_factory=Filters)
    extra: dict[str, Any] = field(default_factory=dict)
    lang: str = DEFAULT
    release: str | None = None  # the kept release chosen with ?release= (None: the default)

    def href(self, path: str) -> str:
        """``path`` in this view's language (``/es/…``), without the view state."""
        return localized(path, self.lang)

    def languages(self) -> list[tuple[str, str, str, bool]]:
        """``(code, name, url, current)`` of this page in every language (the switcher)."""
        here = self.url(self.path, **self.extra)
        return [
            (code, name, localized(here, code), code == self.lang)
            for code, name in LANGUAGES.items()
        ]

    def state(self) -> dict[str, Any]:
        """The definition (when not the default) and every filter that is set."""
        return {
            "definition": self.definition if self.definition != "merits" else None,
            **self.filters.as_params(),
            "release": self.release,
        }

    @property
    def own(self) -> str | None:
        """The filter this page does not take (a judge's page: ``judge``), if any."""
        if self.path.startswith("/compare"):
            return "judge"
        return next((f for p, f in _OWN_FILTER.items() if self.path.startswith(p)), None)

    def filter_inputs(self) -> list[tuple[str, str, str]]:
        """``(name, label, value)`` of the code filters the controls offer on this page."""
        current = self.filters.as_dict()
        return [
            (name, name.replace("_", " ").capitalize(), current[name] or "")
            for name in CODE_FILTERS
            if name != self.own
        ]

    def hidden(self) -> list[tuple[str, str]]:
        """State the page's controls do not show (extra parameters), for hidden inputs."""
        shown = {"definition", "fy", "from", "to", "represented", "asylum_type", *CODE_FILTERS}
        pairs = [(k, str(v)) for k, v in self.state().items() if k not in shown and v]
        for key, value in self.extra.items():
            if isinstance(value, list | tuple):
                pairs += [(key, str(v)) for v in value if v]
            elif value:
                pairs.append((key, str(value)))
        return pairs

    def url(self, path: str, keep: bool = True, **params: Any) -> str:
        """``path`` with the view state (unless ``keep`` is false) and ``params``; a link to
        a judge's (court's, …) page leaves out the judge (court, …) filter it cannot take."""
        merged: dict[str, Any] = dict(self.state()) if keep else {"release": self.release}
        for prefix, own in _OWN_FILTER.items():
            if path.startswith(prefix):
                merged.pop(own, None)
        for key, value in params.items():
            merged[key.rstrip("_")] = value
        pairs: list[tuple[str, str]] = []
        for key, value in merged.items():
            if value is None or value == "":
                continue
            if isinstance(value, list | tuple):
                pairs.extend((key, str(v)) for v in value)
            else:
                pairs.append((key, str(value)))
        return self.href(path) + ("?" + urlencode(pairs) if pairs else "")

    def twin(self, fmt: str) -> str:
        """This page as JSON or CSV (the ``.json`` / ``.csv`` twin), same state."""
        base = self.path.rstrip("/") or "/overview"
        if base == "/":
            base = "/overview"
        return self.url(f"{base}.{fmt}", **self.extra)

    def chart_url(self, chart: str, fmt: str) -> str:
        """One of this page's charts as a PNG or SVG image, same state."""
        base = self.path.rstrip("/") or "/overview"
        return self.url(f"{base}.{fmt}", chart=chart, **self.extra)

    def counts(self, **filters: Any) -> str:
        """The counts behind a number: the rates table for these filters."""
        return self.url("/rates", **filters)

    def counts_csv(self, **filters: Any) -> str:
        return self.url("/api/rates", format="csv", **filters)


#: Names that ``getattr`` finds on every dict (its methods): ``row.items`` stays the method.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class DictFirstEnvironment(Environment):
    """Jinja's environment with ``row.key`` on a plain dict looked up as ``row["key"]`` at once.

    Jinja tries ``getattr`` first and falls back to the item on ``AttributeError``; for the
    thousands of row dicts of a table that raise-and-catch was a fifth of the rendering time.
    A name that is not an attribute of ``dict`` can only be found as an item, so the result
    is the same.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@cache
def environment(lang: str = DEFAULT) -> Environment:
    """The templates in ``lang`` (one environment per language, its catalog installed);
    the templates are part of the package, so they are not checked for changes on each use."""
    env = DictFirstEnvironment(
        loader=PackageLoader("asylumstats.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        pct=pct,
        interval=interval,
        pp=signed_pp,
        number=number,
        spec_json=spec_json,
        code=path_code,
        month_window=month_window,
        quarter_window=quarter_window,
        period_words=_period_words,
        change_words=_change_words,
        board_outcomes=board_outcomes,
        court=lambda code, name=None: court_label(code, name) or "—",
    )
    env.globals.update(
        SMALL_SAMPLE=SMALL_SAMPLE,
        DEFINITIONS=DEFINITIONS,
        SWITCH_DEFINITIONS=SWITCH_DEFINITIONS,
        ASYLUM_TYPES=ASYLUM_TYPES,
        BIA_OUTCOMES=BIA_OUTCOMES,
        LANG=lang,
        HTML_LANG=HTML_LANG[lang],
    )
    return env


def render(template: str, **context: Any) -> str:
    view = context.get("view")
    lang = view.lang if isinstance(view, View) else DEFAULT
    return environment(lang).get_template(template).render(**context)


def methodology_source() -> str:
    """The package copy of docs/methodology.md."""
    return (
        resources.files("asylumstats.web")
        .joinpath("templates", "methodology.md")
        .read_text(encoding="utf-8")
    )


@cache
def methodology_html() -> Markup:
    html = markdown.markdown(
        methodology_source(), extensions=["tables", "fenced_code", "toc", "sane_lists"]
    )
    parts = html.split("<table>")
    html = parts[0] + "".join(
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="Table {i}"><table>{part}'
        for i, part in enumerate(parts[1:], start=1)
    )
    html = html.replace("</table>", "</table></div>")
    return Markup(html)  # noqa: S704 - our own document shipped in the package
