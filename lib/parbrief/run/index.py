"""The year's ``index.html``: one row per brief with its headline numbers, and the overview link.

The numbers are the ones each executed brief produced (its ``HEADLINE_MIME`` output, saved as
``<slug>.headline.json`` next to its HTML by :mod:`parbrief.run.execute`): the index never
recomputes them, so it cannot disagree with the briefs.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

import jinja2

from parbrief.analysis.headline import Headline, headline_from_record
from parbrief.text.formats import fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t
from parbrief.text.voice import DEFAULT_VOICE, Voice
from parbrief.run.execute import BriefOutcome, headline_in_notebook
from parbrief.files import atomic_write_text

__all__ = ["read_headlines", "render_index", "write_index"]


def _environment() -> jinja2.Environment:
    folder = resources.files("parbrief.report") / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,  # unit and province names come from users' files: always escaped
        trim_blocks=True,
        lstrip_blocks=True,
    )


def read_headlines(out_dir: Path, slugs: Sequence[str]) -> dict[str, Headline]:
    """The headline each brief produced: ``<slug>.headline.json``, else its executed ``<slug>.ipynb``.

    A brief with neither (never rendered, or failed) has no headline: the index shows "–".
    """
    found: dict[str, Headline] = {}
    for slug in slugs:
        record = None
        side = Path(out_dir) / f"{slug}.headline.json"
        nb_file = Path(out_dir) / f"{slug}.ipynb"
        if side.is_file():
            record = json.loads(side.read_text(encoding="utf-8"))
        elif nb_file.is_file():
            record = headline_in_notebook(json.loads(nb_file.read_text(encoding="utf-8")))
        if record:
            found[slug] = headline_from_record(record)
    return found


def render_index(
    *,
    year: int,
    outcomes: Sequence[BriefOutcome],
    headlines: Mapping[str, Headline] | Sequence[Headline],
    lang: str,
    synthetic: bool,
    voice: Voice = DEFAULT_VOICE,
) -> str:
    """The index page as HTML text (self-contained, no network request, names escaped).

    ``headlines``: by slug (what :func:`read_headlines` returns) or a sequence matched by province;
    ``voice``: the spec's words for the index and the provinces (``{index}`` in the titles).
    """
    by_slug = dict(headlines) if isinstance(headlines, Mapping) else {}
    by_title = {} if by_slug else {h.province: h for h in headlines}
    rows = []
    overview = None
    for o in outcomes:
        if o.slug == "overview":
            overview = o
            continue
        province = o.title.rsplit(" — ", 1)[0]
        h = by_slug.get(o.slug) or by_title.get(province)
        rows.append(
            {
                "province": province,
                "href": f"{o.slug}.html" if o.status == "ok" else None,
                "status": o.status,
                "score": fmt_number(h.score, lang) if h else "–",
                "band": (h.band_label or "–") if h else "–",
                "rank": (f"{fmt_int(h.rank, lang)}/{fmt_int(h.n_ranked, lang)}" if h and h.rank else "–"),
                "change": fmt_signed(h.change, lang) if h else "–",
            }
        )
    template = _environment().get_template("index.html.j2")
    css = (resources.files("parbrief.report") / "templates" / "parbrief" / "parbrief.css").read_text(encoding="utf-8")
    return template.render(
        css=css,
        lang=lang,
        year=year,
        rows=rows,
        overview_href="overview.html" if overview and overview.status == "ok" else None,
        synthetic=synthetic,
        n_failed=sum(1 for o in outcomes if o.status == "failed"),
        t=lambda key, **kw: t(key, lang, **{**voice.words(), **kw}),
        province_label=own.label.text(lang) if (own := voice.unit_type("province")) is not None else "",
    )


def write_index(
    path: Path,
    *,
    year: int,
    outcomes: Sequence[BriefOutcome],
    headlines: Mapping[str, Headline] | Sequence[Headline],
    lang: str,
    synthetic: bool,
    voice: Voice = DEFAULT_VOICE,
) -> Path:
    """Write :func:`render_index` atomically to ``path``."""
    html = render_index(year=year, outcomes=outcomes, headlines=headlines, lang=lang, synthetic=synthetic,
                        voice=voice)
    return atomic_write_text(path, html)
