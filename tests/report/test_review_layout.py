"""The leader's brief after review 5 of issue #13: a standardized means chart says it shows
positions, the phone's note and arrows for the hidden "Xu hướng" column, four findings on the
first screen.

Small hand-made briefs with the shipped spec (method changes in 2020 and 2022: units compared
across them on within-year z-scores) or one method period.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from parbrief.analysis.brief import build_brief
from parbrief.report import figures as F
from parbrief.report import leader as L
from parbrief.report import sections as S
from parbrief.spec import default_spec_path, parse_spec
from parbrief.text.messages import t

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

UNITS = ["Huyện A", "Huyện B", "Huyện C", "Huyện D", "Huyện E"]


def _scores(years: range, slope: float = 1.2) -> pd.DataFrame:
    # Huyện A climbs against the others, Huyện E slips; B–D hold
    drift = {"Huyện A": slope, "Huyện E": -slope}
    rows = [("Tỉnh Thử", u, "district", y, 70.0 + 4 * i + drift.get(u, 0.0) * (y - years[0]) + 0.3 * ((y * 7 + i) % 3))
            for i, u in enumerate(UNITS) for y in years]
    return pd.DataFrame(rows, columns=["province", "unit", "unit_type", "year", "total"])


def _one_period_spec():
    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    raw.pop("versions", None)
    return parse_spec(raw, source="one period")


def _brief(scores: pd.DataFrame, lang: str = "vi", **kw):
    return build_brief(province="Tỉnh Thử", year=int(scores["year"].max()), data="x", lang=lang,
                       frames=(scores, None, "ab" * 32, {}), **kw)


# --------------------------------------------------------------------------- 3: standardized means chart


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_means_chart_of_standardized_positions_is_titled_as_positions(lang):
    b = _brief(_scores(range(2018, 2025)), lang)  # across the 2020 and 2022 method changes
    assert b.panel["district"].scale == "z_within_year"
    (figure,) = S.differences(b).figures
    ax = figure.fig.axes[0]
    assert ax.get_title(loc="left") == t("figure.means_standing_title", lang) != t("figure.means_title", lang)
    assert ax.get_xlabel() == t("measure.standing", lang)
    means = b.panel["district"].means.sort_values("ls_mean", ascending=False)
    top = means.iloc[0]
    first = {"vi": "Biểu đồ điểm: vị trí bình quân của 5 đơn vị so với các đơn vị cùng loại",
             "en": "Dot chart: average standing of 5 units among units of the same type"}[lang]
    assert figure.alt.startswith(first)
    sign = "+" if top["ls_mean"] > 0 else ""
    assert f"({sign}{top['ls_mean']:.2f}".replace(".", "," if lang == "vi" else ".") in figure.alt
    assert any(abs(line.get_xdata()[0]) < 1e-12 for line in ax.get_lines() if len(line.get_xdata()) == 2)  # 0 marked


def test_a_means_chart_of_scores_keeps_the_score_title():
    b = _brief(_scores(range(2020, 2025)), spec=_one_period_spec())
    assert b.panel["district"].scale == "raw"
    (figure,) = S.differences(b).figures
    assert figure.fig.axes[0].get_title(loc="left") == t("figure.means_title", "vi")
    assert figure.alt.startswith("Biểu đồ điểm: điểm trung bình và khoảng tin cậy 95% của 5 đơn vị")


def test_means_figure_standing_signs_values_in_the_alt_text():
    means = pd.DataFrame({"unit": ["A", "B"], "mean": [0.8, -0.8], "ci_low": [0.5, -1.1], "ci_high": [1.1, -0.5]})
    fig = F.means_figure(means, "vi", standing=True)
    assert fig.alt.endswith("Cao nhất là A (+0,80), thấp nhất là B (−0,80).")
    assert fig.fig.axes[0].get_title(loc="left") == "Vị trí bình quân so với các đơn vị cùng loại và khoảng tin cậy 95%"


# --------------------------------------------------------------------------- 4: the phone's "Xu hướng"


def test_phone_note_and_arrows_only_where_the_table_has_the_trend_column():
    b = _brief(_scores(range(2018, 2025), slope=2.5), spec=_one_period_spec())
    html = S.league_table(b).html
    assert f">{t('column.trend', 'vi')}</th>" in html
    note = t("layout.trend_phone_note", "vi", column=t("column.trend", "vi"), improving="▲", declining="▼")
    assert f'<p class="pb-muted pb-ph-note">{note}</p>' in html.replace("&quot;", '"')
    assert note.startswith("Trên điện thoại, bảng không hiển thị cột “Xu hướng”")
    trends = b.league["district"].set_index("unit")["trend"]
    called = {u: c for u, c in trends.items() if c in ("improving", "declining")}
    assert called  # the drift is called for some unit, so arrows are drawn
    for unit, code in called.items():
        arrow = "▲" if code == "improving" else "▼"
        assert f'{unit} <span class="pb-ph-trend {"pb-up" if arrow == "▲" else "pb-down"}"' in html
    assert html.count('class="pb-ph-trend') == len(called)
    # one year: no "Xu hướng" column, so no note and no arrow
    one = S.league_table(_brief(_scores(range(2024, 2025)), spec=_one_period_spec())).html
    assert t("column.trend", "vi") not in one and "pb-ph-note" not in one and "pb-ph-trend" not in one


def test_the_stylesheet_shows_the_phone_note_only_on_a_narrow_screen():
    from importlib import resources

    css = resources.files("parbrief.report").joinpath("templates/parbrief/parbrief.css").read_text(encoding="utf-8")
    assert ".pb-ph-note, .pb-ph-trend { display: none; }" in css
    narrow = css.split("@media (max-width: 40rem) {", 1)[1].split("}\n}", 1)[0]
    assert "p.pb-ph-note { display: block; }" in narrow and ".pb-ph-trend { display: inline;" in narrow


# --------------------------------------------------------------------------- 1: the first screen


def test_four_findings_on_the_first_screen_the_lowest_priority_told_in_its_section():
    b = _brief(_scores(range(2018, 2025), slope=2.5))
    found = L.findings(b)
    # five candidates (headline, bands, the province's raw path, the districts' standing, the range of
    # the districts): four are shown, the range (lowest priority) is in the league table
    spread = L._spread_finding(b)
    assert spread == ("Năm 2024, điểm của 5 huyện dao động từ 71,00 điểm (huyện E) đến 85,60 điểm (huyện A); "
                      "2/5 đạt loại Tốt trở lên.")
    assert len(found) == L.FIRST_SCREEN_FINDINGS == 4 and spread not in found
    assert "So với các huyện khác, giai đoạn 2018–2024: huyện A cải thiện rõ vị trí; huyện E tụt vị trí." in found
