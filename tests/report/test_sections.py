"""The brief's sections as native notebook outputs (issue #11 item 1): Markdown text, Styler tables, figures.

An analyst in Jupyter sees headings and sentences as Markdown and tables as pandas ``Styler``
objects holding the unrounded values; nbconvert writes the brief's HTML from the same outputs
(``text/html`` first), escaped, deterministic and with the stylesheet's classes.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
import yaml
from IPython.core.formatters import DisplayFormatter
from nbconvert.filters.markdown import markdown2html
from nbformat.v4 import new_code_cell, new_notebook, new_output
from pandas.io.formats.style import Styler

from parbrief.analysis.brief import build_brief
from parbrief.report import sections as S
from parbrief.report.blocks import Bullets, Heading, Paragraph, Prose, Section, md_escape
from parbrief.report.figures import Figure
from parbrief.run.export import render_html
from parbrief.spec import default_spec_path, parse_spec
from parbrief.text.messages import t

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

HOSTILE = "Huyện *Mỹ* _Tú_ <b>&amp; [x](y) $1$"
UNITS = [HOSTILE, "Huyện B", "Huyện C", "Huyện D", "Huyện E"]


def _spec():
    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    raw.pop("versions", None)  # one method period: the sections, not method breaks, are tested here
    return parse_spec(raw, source="sections")


@pytest.fixture(scope="module")
def brief():
    rows = [("Tỉnh Thử", u, "district", y, 70.0 + 4 * i + 0.8 * (y - 2020) * (1 if i % 2 else -1) + 0.13 * ((y * 7 + i) % 5))
            for i, u in enumerate(UNITS) for y in range(2020, 2025)]
    scores = pd.DataFrame(rows, columns=["province", "unit", "unit_type", "year", "total"])
    return build_brief(province="Tỉnh Thử", year=2024, data="x", lang="vi", spec=_spec(),
                       frames=(scores, None, "ab" * 32, {}))


def _bundle(obj) -> dict:
    data, _ = DisplayFormatter().format(obj)
    return data


def test_text_blocks_are_markdown_for_jupyter_and_the_briefs_html():
    p = Paragraph(HOSTILE, "pb-muted")
    assert p.html == '<p class="pb-muted">Huyện *Mỹ* _Tú_ &lt;b&gt;&amp;amp; [x](y) $1$</p>'
    data = _bundle(Prose((Heading(2, "Xu hướng"), p, Bullets(("một", "- hai")))))
    assert set(data) >= {"text/html", "text/markdown", "text/plain"}
    assert data["text/html"].startswith("<h2>Xu hướng</h2>\n<p class=")
    md = data["text/markdown"]
    assert md.startswith("## Xu hướng\n\n*") and "\n\n- một\n- \\- hai" in md
    # rendered as Markdown, the name reads literally: no emphasis, link, tag, entity or math
    rendered = markdown2html(md_escape(HOSTILE)).strip()
    assert rendered == "<p>Huyện *Mỹ* _Tú_ &lt;b&gt;&amp;amp; [x](y) $1$</p>"


@pytest.mark.parametrize("text", ["1. đầu", "2024) năm", "- gạch", "+ cộng", "# tiêu đề", "> trích", "`mã`", "a | b"])
def test_markdown_escape_keeps_a_sentence_one_literal_paragraph(text):
    html = markdown2html(md_escape(text)).strip()
    assert html == f"<p>{text.replace('>', '&gt;')}</p>"


def test_league_table_is_a_styler_of_the_unrounded_values(brief):
    section = S.league_table(brief)
    kinds = [type(o).__name__ for o in section.outputs()]
    assert kinds == ["Prose", "Styler", "Prose"]  # heading, one table (one unit type), notes
    styler = section.tables[0]
    assert isinstance(styler, Styler)
    frame = styler.data
    league = brief.league["district"]
    assert list(frame.columns) == [t(f"column.{c}", "vi") for c in
                                   ("rank", "unit", "score", "rating", "change", "rank_change", "trend")]
    assert frame[t("column.score", "vi")].tolist() == league["value"].tolist()
    assert frame[t("column.change", "vi")].tolist() == league["change"].tolist()
    assert frame.equals(S.league_frame(brief, "district"))
    html = styler.to_html()
    # the rating (col3) and trend (col6) columns hide on a phone (table.pb-ph-<i>)
    assert 'class="pb-table pb-ph-3 pb-ph-6"' in html and 'class="dataframe"' not in html
    # numbers in the Vietnamese format, right-aligned; rises and falls coloured on their cell
    first = league.iloc[0]
    assert re.search(r'<td class="data row0 col2 pb-num" >' + re.escape(f"{first['value']:.2f}".replace(".", ",")), html)
    for _, r in league.iterrows():
        cls = "pb-up" if r["change"] > 0 else "pb-down" if r["change"] < 0 else None
        if cls:
            assert re.search(rf'col4 pb-num {cls}" >[+−]', html)
    assert "#T_pb-league-district th.col0 {\n  text-align: right;" in html


def test_tables_escape_names_and_render_the_same_html_every_time(brief):
    html = S.league_table(brief).html
    assert "<b>" not in html and "Huyện *Mỹ* _Tú_ &lt;b&gt;&amp;amp; [x](y) $1$" in html
    assert html == S.league_table(brief).html  # a fixed uuid, no random ids
    assert not re.search(r'id="T_[^"]*_row\d', html)  # no cell ids


def test_methods_table_is_key_value_with_the_hash_in_code(brief):
    section = S.methods(brief)
    styler = section.tables[0]
    assert list(styler.data.columns) == [t("methods.item", "vi"), t("methods.value", "vi")]
    html = styler.to_html()
    assert "<code>abababababab</code>" in html  # a short check code, not the whole hash
    assert not re.search(r"<th[ >]", html)  # no empty header row


def test_sections_keep_their_order_and_figures(brief):
    section = S.trends(brief)
    assert isinstance(section.parts[0], Heading) and section.parts[0].text == t("heading.trends", "vi")
    assert section.figures and all(isinstance(f, Figure) for f in section.figures)
    outputs = list(section.outputs())
    assert not any(isinstance(a, Prose) and isinstance(b, Prose) for a, b in zip(outputs, outputs[1:]))
    with pytest.raises(TypeError, match="a section part"):
        Section("<p>raw html</p>")


def test_the_exported_brief_writes_the_html_outputs_not_the_markdown(brief):
    outputs = []
    for part in S.league_table(brief).outputs():
        data, meta = DisplayFormatter().format(part)
        outputs.append(new_output("display_data", data=data, metadata=meta))
    nb = new_notebook(cells=[new_code_cell("sections.league_table(brief)", outputs=outputs)])
    page = render_html(nbformat.from_dict(nb), lang="vi", title="Tỉnh Thử — 2024")
    assert f"<h2>{t('heading.league_table', 'vi')}</h2>" in page
    assert '<table id="T_pb-league-district" class="pb-table pb-ph-3 pb-ph-6">' in page
    assert "## " not in page and "sections." not in page and "<b>" not in page


def test_a_displayed_section_is_one_output_per_table_figure_and_text_run(brief, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    S.league_table(brief)._ipython_display_()
    assert [type(o).__name__ if not raw else "bundle" for o, raw in shown] == ["Prose", "bundle", "Prose"]
    bundle = shown[1][0]
    assert bundle["text/html"] == S.league_table(brief).tables[0].to_html()
    # plain text is the table itself (deterministic), not "<Styler at 0x…>"
    assert "Styler" not in bundle["text/plain"] and "Huyện B" in bundle["text/plain"]


def test_the_analysts_figures_are_labelled_and_numbered_in_the_pages_language(brief):
    # The residual, QQ and trend-residual figures of the analysis pages: titles and axis labels
    # from the locale files (they were English on a Vietnamese page), numbers in the locale's format.
    import dataclasses

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from parbrief.report import analysis_pages as pages

    for lang in ("vi", "en"):
        b = brief if lang == "vi" else dataclasses.replace(brief, lang="en")
        figs = [pages.residual_figure(b, "district"), pages.qq_figure(b, "district"), pages.trend_residual_figure(b)]
        assert all(isinstance(f, pages.PageFigure) for f in figs)
        for f in figs:
            FigureCanvasAgg(f.fig).draw()
            texts = [s for ax in f.fig.axes for s in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())]
            assert all(texts) and len(texts) == 6
            # every label is a locale string of this language
            assert set(texts) <= {t(f"analysis.figure.{k}", lang) for k in (
                "year", "trend_resid_y", "trend_resid_title", "lag_prev", "lag_now", "lag_title", "fitted", "resid",
                "resid_fitted_title", "resid_year_title", "normal_quantile", "std_resid", "qq_title", "density",
                "hist_title")}
            # the y axes numbered by the brief's locale formatter (in Vietnamese 0,5), for this language
            assert all(getattr(ax.yaxis.get_major_formatter(), "lang", None) == lang for ax in f.fig.axes)
    qq = pages.qq_figure(brief, "district").fig
    FigureCanvasAgg(qq).draw()
    assert any("," in lab.get_text() for lab in qq.axes[1].get_yticklabels())  # a density: 0,1 0,2 …
    assert t("analysis.figure.qq_title", "vi") != t("analysis.figure.qq_title", "en")
