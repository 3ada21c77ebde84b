"""The brief's layout (issue #13 items 5–7): phone variants of the figures, long lists cut to their
best and worst units, one-year briefs without empty charts, and the tables' phone columns.

The 120-commune province is built here (not by the demo): one year of scores, 120 communes and 6
departments, as a province on the map of 1 July 2025 scores them.
"""

from __future__ import annotations

import base64
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from parbrief.analysis.brief import build_brief
from parbrief.report import figures as F
from parbrief.report import sections as S
from parbrief.report.axis_labels import row_label_texts
from parbrief.report.cross_section import cross_section_figure
from parbrief.report.rows import ENDS, FULL_LIST_MAX, keep_ends
from parbrief.spec import load_spec
from parbrief.text.codes import reason_text
from parbrief.text.messages import t

SPEC = load_spec()
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: Smallest text a reader should see on a 390 px phone (CSS px), as the browser test checks.
PHONE_TEXT_PX = 9.0
#: The phone column: 390 px less the page's padding (0.75rem each side).
PHONE_COLUMN = 366


def many_units_scores(n_communes: int = 120, n_departments: int = 6, years=(2025,), seed: int = 1) -> pd.DataFrame:
    """Scores of one province: ``n_communes`` communes and ``n_departments`` departments."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_departments + n_communes):
        unit_type = "department" if i < n_departments else "commune"
        name = f"Sở số {i + 1:02d}" if i < n_departments else f"Xã số {i - n_departments + 1:03d}"
        level = np.clip(0.82 + rng.normal(0, 0.05), 0.5, 0.99)
        for year in years:
            comps = {c.code: round(c.max_points * float(np.clip(level + rng.normal(0, 0.03), 0, 1)), 2)
                     for c in SPEC.for_year(year).components}
            rows.append({"province": "Tỉnh Thử", "unit": name, "unit_type": unit_type, "year": year,
                         "total": round(sum(comps.values()), 2), **comps})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module", params=["vi", "en"])
def big_brief(request):
    """A one-year brief of a province with 120 communes (2025, the first year on the new map)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_brief(province="Tỉnh Thử", year=2025, data="x", lang=request.param, spec=SPEC,
                           frames=(many_units_scores(), None, "ab" * 32, {}))


def _ticks(fig, colorbar: bool = False) -> list[str]:
    """The row labels (unit names) of every panel; a heatmap's colour bar (its last axes) left out."""
    axes = fig.axes[:-1] if colorbar else fig.axes
    return [lab.get_text() for ax in axes for lab in row_label_texts(ax)]


# ---- which rows a long list keeps --------------------------------------------------------------


def test_keep_ends_keeps_a_short_list_whole_and_a_long_one_at_its_ends():
    short = pd.DataFrame({"x": range(FULL_LIST_MAX)})
    assert keep_ends(short).gap_at is None and len(keep_ends(short).frame) == FULL_LIST_MAX
    long = pd.DataFrame({"x": range(120)})
    kept = keep_ends(long)
    assert kept.frame["x"].tolist() == list(range(ENDS)) + list(range(120 - ENDS, 120))
    assert (kept.omitted, kept.gap_at, kept.total) == (100, ENDS, 120)
    assert keep_ends(long, ends=None).gap_at is None


# ---- figures: phone variants -------------------------------------------------------------------


def _brief_figures(lang: str) -> list[F.Figure]:
    scores = many_units_scores(12, 4, years=range(2020, 2025))
    latest = scores[scores.year == 2024]
    means = latest[["unit", "total"]].rename(columns={"total": "mean"})
    means = means.assign(ci_low=means["mean"] - 2, ci_high=means["mean"] + 2, letters="ab")
    counts = pd.DataFrame({"year": [2023, 2023, 2024], "band_label": ["Tốt", "Khá", "Tốt"], "n": [10, 6, 16]})
    panels = [("A", latest.assign(value=latest["total"], band_label="Tốt"))]
    history = scores[scores.unit.isin(["Xã số 001", "Xã số 002"])][["unit", "year", "total"]]
    return [
        F.trend_figure(scores, lang=lang, breaks=[2021.5]),
        F.history_figure(history, lang, new_point=("Tỉnh Thử", 2025, 84.0)),
        F.means_figure(means, lang),
        F.component_heatmap(latest, SPEC, lang),
        F.band_distribution_figure(counts, lang, order=["Tốt", "Khá"]),
        cross_section_figure(panels, lang, year=2024, band_order=["Tốt", "Khá"]),
        F.trend_figure(scores.assign(total=np.nan), lang=lang),  # the empty chart
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_has_a_phone_variant_whose_text_stays_readable_on_a_phone(lang):
    for figure in _brief_figures(lang):
        wide, narrow = figure.rendered()
        assert narrow is not None, figure.alt
        assert narrow.css_width == round(F.NARROW_IN * 96) == 360
        # shown at most at the phone column's width: the text a reader sees is at least 9 px
        assert narrow.text_px * PHONE_COLUMN / narrow.css_width >= PHONE_TEXT_PX, (figure.alt, narrow.text_px)
        # the wide variant on a phone would have been unreadable (the reason for the narrow one)
        assert wide.text_px * PHONE_COLUMN / wide.css_width < PHONE_TEXT_PX
        assert wide.css_width == 768 and len(narrow.png) <= 120 * 1024


def test_smallest_text_is_measured_from_the_drawn_text():
    figure = F.means_figure(pd.DataFrame({"unit": ["A", "B"], "mean": [80.0, 70.0], "ci_low": [78.0, 68.0],
                                          "ci_high": [82.0, 72.0], "letters": ["a", "b"]}), "vi")
    sizes = [x.get_fontsize() for x in figure.narrow.findobj(Text) if x.get_visible() and x.get_text().strip()]
    assert F.smallest_text_px(figure.narrow) == round(min(sizes) * 96 / 72, 2)


def test_smallest_text_counts_a_heatmaps_cell_values():
    # the values (7.5 pt on a phone, 8 pt on the desktop) are one CellValues artist, not Text objects;
    # they are the smallest text of the chart, below its 8 / 8.5 pt labels
    figure = F.component_heatmap(many_units_scores().query("year == 2025").head(12), SPEC, "vi")
    assert F.smallest_text_px(figure.narrow) == round(7.5 * 96 / 72, 2) == 10.0
    assert F.smallest_text_px(figure.fig) == round(8 * 96 / 72, 2)


def test_figure_html_is_a_picture_whose_phone_source_comes_first_and_is_deterministic():
    figure = _brief_figures("vi")[0]
    page = figure.to_html()
    assert page.startswith(f'<figure class="pb-figure"><picture><source media="{F.NARROW_MEDIA}" width="360" ')
    assert re.search(r'<img class="pb-img" alt="[^"]+" width="768" height="\d+" data-text-px="[\d.]+" src="data:', page)
    assert page == figure.to_html()  # same bytes every time (no timestamp in either PNG)
    data, meta = figure._repr_mimebundle_()
    assert set(data) == {"image/png", F.NARROW_MIME, "text/plain"}
    assert meta[F.NARROW_MIME]["width"] == 360 and meta["image/png"]["text_px"] > 0


def test_the_export_template_writes_the_same_picture():
    import nbformat
    from IPython.core.formatters import DisplayFormatter
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from parbrief.run.export import render_html

    figure = _brief_figures("vi")[2]
    data, meta = DisplayFormatter().format(figure)
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("display_data", data=data, metadata=meta)])])
    page = render_html(nbformat.from_dict(nb), lang="vi", title="t")
    # the PNGs of that output, written by figure_html (what Section.html writes)
    wide, narrow = (F.Rendered(base64.b64decode(data[m]), meta[m]["width"], meta[m]["height"], meta[m]["text_px"])
                    for m in ("image/png", F.NARROW_MIME))
    assert F.figure_html(figure.alt, wide, narrow) in page


# ---- long lists: the best and the worst --------------------------------------------------------


def test_long_figures_keep_the_ten_best_and_worst_with_the_gap_named():
    scores = many_units_scores(120, 0, years=(2025,))
    means = scores[["unit", "total"]].rename(columns={"total": "mean"}).assign(ci_low=np.nan, ci_high=np.nan)
    for lang, gap in (("vi", "… 100 đơn vị khác"), ("en", "… 100 other units")):
        for figure in (F.means_figure(means, lang, ends=ENDS), F.component_heatmap(scores, SPEC, lang, ends=ENDS)):
            for drawn in (figure.fig, figure.narrow):
                ticks = _ticks(drawn, colorbar=len(drawn.axes) > 1)
                assert len(ticks) == 2 * ENDS + 1 and ticks[ENDS] == gap
                assert drawn.get_figheight() < 7.5  # bounded, whatever the number of communes
        # analysts' pages and other callers still draw every unit
        assert len(_ticks(F.means_figure(means, lang).fig)) == 120


def test_a_long_league_table_shows_top_and_bottom_and_says_where_the_rest_is(big_brief):
    lang = big_brief.lang
    section = S.league_table(big_brief)
    communes = section.tables[0]
    ranks = communes.data[t("column.rank", lang)].tolist()
    assert len(ranks) == 2 * ENDS and ranks[:3] == [1, 2, 3] and ranks[-1] == 120
    html = communes.to_html()
    assert html.count("pb-gap") == len(communes.data.columns)  # each cell of the first row after the gap
    assert re.search(r'<td class="data row10 col0 pb-num pb-gap" >1\d\d<', html)
    note = t("layout.ends_note", lang, ends=ENDS, n="120")
    assert note in [getattr(p, "text", None) for p in section.parts]
    # no comparison year: the change columns (all "–") are left out
    assert t("column.change", lang) not in communes.data.columns
    assert len(section.tables[1].data) == 6  # 6 departments: shown whole


def test_a_one_year_brief_shows_its_units_side_by_side_and_its_bands_as_a_sentence(big_brief):
    lang = big_brief.lang
    section = S.trends(big_brief)
    figures = section.figures
    assert len(figures) == 1  # no history here: the cross-section only, no trend, no one-bar chart
    cross = figures[0]
    assert cross.alt.startswith(t("layout.alt_cross", lang, measure=t("measure.total", lang, index=SPEC.voice.index), year=2025,
                                  n_units=126, best="§", best_value="§", worst="§", worst_value="§").split("§")[0])
    titles = [ax.get_title(loc="left") for ax in cross.fig.axes]
    # panels named as the units are (this province's communes are all "Xã …": no "phường")
    from parbrief.report.names import unit_label
    assert titles == [unit_label(big_brief, "commune"), unit_label(big_brief, "department")]
    assert titles[0] == ("Xã" if lang == "vi" else "Communes")
    assert len(_ticks(cross.fig)) == 2 * ENDS + 1 + 6
    counts = big_brief.bands.counts()
    texts = [getattr(p, "text", "") for p in section.parts]
    sentence = [s for s in texts if s.startswith(t("layout.bands_one_year", lang, year=2025, n="126", counts="§")
                                                 .split("§")[0])]
    assert len(sentence) == 1
    for band in big_brief.scheme.bands:
        n = counts[band.code]
        item = t("layout.band_count", lang, n=str(n), label=band.label(lang))
        assert (item in sentence[0]) == (n > 0)


def test_the_fields_heatmap_and_satisfaction_chart_of_a_big_brief_are_bounded(big_brief):
    heatmap = S.components(big_brief).figures[0]
    assert len(_ticks(heatmap.fig, colorbar=True)) == 2 * ENDS + 1 == len(_ticks(heatmap.narrow))
    assert heatmap.fig.get_figheight() < 7.5


def test_the_national_trend_legend_names_provinces():
    scores = many_units_scores(0, 5, years=range(2022, 2025)).assign(unit_type="province")
    for lang, label in (("vi", "Các tỉnh, thành phố"), ("en", "Provinces and cities")):
        labels = [ln.get_label() for ln in F.trend_figure(scores, lang=lang).fig.axes[0].get_lines()]
        assert label in labels and t("figure.units", lang) not in labels


def test_a_cell_tagged_pb_is_a_class_of_its_box_and_other_tags_are_not():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from parbrief.run.export import render_html

    out = [new_output("display_data", data={"text/html": "<p>x</p>"})]
    cells = [new_code_cell("a", outputs=out, metadata={"tags": ["remove_input", "pb-small-print"]}),
             new_code_cell("b", outputs=out, metadata={"tags": ['pb-"><script>', "other"]})]
    page = render_html(nbformat.from_dict(new_notebook(cells=cells)), lang="vi", title="t")
    assert '<div class="pb-cell pb-output pb-small-print">' in page
    assert page.count('<div class="pb-cell pb-output') == 2 and "<script>" not in page and "remove_input" not in page
    css = page.split("<style", 1)[1].split("</style>", 1)[0]
    assert ".pb-small-print { font-size: 7.5pt; line-height: 1.25; columns: 3;" in css  # print only


def test_the_analysis_pages_hold_the_full_ranking_and_draw_a_one_year_brief(big_brief):
    from parbrief.report import analysis_pages as pages

    tables = pages.league_tables(big_brief)
    assert {k: len(v.data) for k, v in tables.items()} == {"commune": 120, "department": 6}
    assert tables["commune"].data[t("column.rank", big_brief.lang)].tolist()[-1] == 120
    for unit_type in pages.unit_types_of(big_brief):  # one year: no model residuals, a sentence says why
        for figure in (pages.residual_figure(big_brief, unit_type), pages.qq_figure(big_brief, unit_type)):
            assert isinstance(figure, pages.Markdown)
            assert figure.data == t("analysis.no_model_residuals", big_brief.lang, reason=reason_text(
                "too_few_years", {"n_years": 1, "min_years": 2}, big_brief.lang))


def test_a_cut_means_chart_has_no_letters_and_no_sentence_reads_them(big_brief):
    from parbrief.report import leader as L

    means = pd.DataFrame({"unit": [f"Xã số {i:03d}" for i in range(60)], "mean": np.linspace(4.5, 2.5, 60),
                          "ci_low": np.nan, "ci_high": np.nan, "letters": ["ab"] * 60})
    for lang in ("vi", "en"):
        cut = F.means_figure(means, lang, ends=ENDS)
        whole = F.means_figure(means.head(12), lang, ends=ENDS)
        texts = lambda fig: [x.get_text() for x in fig.findobj(Text)]  # noqa: E731
        assert "ab" not in texts(cut.fig) and "ab" in texts(whole.fig)
    if big_brief.survey is not None and big_brief.survey.significant:
        assert t("narrative.diff.letters", big_brief.lang) not in L.survey_plain(big_brief)


def test_a_long_title_breaks_its_line_before_the_letters_heading():
    # Long names push the axes right, and matplotlib wraps a title only at the figure's edge: the
    # title ran over "Nhóm" above the letters (the departments' means chart of Quảng Trị, 2024).
    from parbrief.report.figure_layout import COLUMN_HEAD

    means = pd.DataFrame({"unit": ["Sở Xây dựng", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Thanh tra tỉnh"],
                          "mean": [0.9, 0.1, -0.5, -0.6], "ci_low": [-3.0, -3.8, -4.4, -4.5],
                          "ci_high": [4.9, 4.1, 3.5, 3.4], "letters": ["a"] * 4})
    fig = F.means_figure(means, "vi", standing=True)
    first = fig.to_png()
    ax = fig.fig.axes[0]
    renderer = fig.fig.canvas.get_renderer()
    title = ax._left_title
    head = next(x for x in ax.texts if x.get_gid() == COLUMN_HEAD)
    lines = title.get_text().split("\n")
    assert head.get_visible() and len(lines) == 2
    assert title.get_window_extent(renderer).x1 < head.get_window_extent(renderer).x0
    assert " ".join(lines) == t("figure.means_standing_title", "vi")  # the same words, none lost
    assert all(len(line.split()) > 2 for line in lines)  # balanced: no word left alone on a line
    assert fig.to_png() == first  # fitting a fitted figure changes nothing
    # a title that clears the heading keeps its line
    short = F.means_figure(means, "vi", title="Vị trí bình quân", standing=True)
    short.to_png()
    assert short.fig.axes[0]._left_title.get_text() == "Vị trí bình quân"
