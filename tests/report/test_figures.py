"""Brief figures (parbrief.report.figures): content, alt text, fonts, hostile names, size, speed."""

from __future__ import annotations

import base64
import html
import time
import unicodedata
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from parbrief.report import figures as F
from parbrief.report.axis_labels import row_label_texts
from parbrief.report.cell_values import CellValues
from parbrief.spec import load_spec

SPEC = load_spec()
VI_SAMPLE = "Thừa Thiên Huế, Quảng Bình, Đắk Lắk, Hòa Bình, Bà Rịa – Vũng Tàu"


def _all_vietnamese_letters() -> str:
    """Every Vietnamese letter: 12 vowels × 6 tones, upper and lower case, plus đ/Đ."""
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = {unicodedata.normalize("NFC", v + tone) for v in vowels for tone in tones}
    letters |= set("đbcdghklmnpqrstvx")
    return "".join(sorted(letters | {c.upper() for c in letters}))


def _scores(units: list[str], years: range, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i, u in enumerate(units):
        for y in years:
            frac = np.clip(0.6 + 0.3 * i / max(len(units) - 1, 1) + rng.normal(0, 0.03), 0, 1)
            comps = {c.code: c.max_points * frac for c in SPEC.components}
            rows.append({"province": "Quảng Trị", "unit": u, "unit_type": "district", "year": y,
                         "total": sum(comps.values()), **comps})
    return pd.DataFrame(rows)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


# ---- font --------------------------------------------------------------------------------------


def test_font_has_every_vietnamese_glyph():
    font = FT2Font(F.font_path())
    sample = _all_vietnamese_letters() + VI_SAMPLE + "–…−"
    missing = sorted({c for c in sample if font.get_char_index(ord(c)) == 0})
    assert len(_all_vietnamese_letters()) == 2 * (12 * 6 + 17)
    assert missing == []
    assert F.font_path().endswith("DejaVuSans.ttf")


def test_figure_text_is_drawn_with_that_font():
    fig = F.trend_figure(_scores(["Thừa Thiên Huế", "Đắk Lắk", "Hòa Bình"], range(2022, 2025)), lang="vi").fig
    used = {font_manager.findfont(t.get_fontproperties()) for t in fig.findobj(Text) if t.get_text()}
    assert used and all("DejaVuSans" in p for p in used)


def test_theme_does_not_leak_into_global_rcparams():
    before = {k: matplotlib.rcParams[k] for k in ("font.sans-serif", "text.parse_math", "axes.titlelocation", "figure.dpi")}
    F.means_figure(pd.DataFrame({"unit": ["A"], "mean": [1.0], "ci_low": [0.5], "ci_high": [1.5]}), "vi")
    after = {k: matplotlib.rcParams[k] for k in before}
    assert after == before
    theme = F.brief_theme()
    assert theme["font.sans-serif"] == ["DejaVu Sans"] and theme["text.parse_math"] is False
    theme["font.sans-serif"] = ["X"]
    assert F.brief_theme()["font.sans-serif"] == ["DejaVu Sans"]  # a fresh dict each call


# ---- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Thị xã  Hòa Bình ", "Thị xã Hòa Bình"),
        ("Qua\u0309ng Bi\u0300nh", "Quảng Bình"),  # NFD → NFC
        ("\u202eRTL\u200f name", "RTL name"),  # bidi controls dropped
        ("Huyện 🏛️ x", "Huyện ? x"),  # glyph the font lacks → "?", its variation selector dropped
        ("Đ" * 300, "Đ" * 27 + "…"),
        ("$\\frac{1}{2}$", "$\\frac{1}{2}$"),  # kept literally; mathtext is off in the theme
        (None, ""),
    ],
)
def test_clean_label(name, expected):
    assert F.clean_label(name) == expected


def test_hostile_names_draw_without_warnings_and_alt_is_escaped_in_html():
    names = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "$x$ Huyện $y",
             "\u202eRTL\u200f", "Huyện 🏛️ 𝔘", "../../etc/passwd", "Đ" * 300]
    scores = _scores(names, range(2023, 2025))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = [
            F.trend_figure(scores, lang="en"),
            F.component_heatmap(scores[scores.year == 2024], SPEC, "en"),
            F.means_figure(pd.DataFrame({"unit": names, "mean": np.arange(7.0), "ci_low": np.arange(7.0) - 1,
                                         "ci_high": np.arange(7.0) + 1, "letters": list("abcdefg")}), "en"),
        ]
        pngs = [f.to_png() for f in figs]
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    labels = _texts(figs[1].fig)
    assert "Đ" * 27 + "…" in labels and '"><img src=x onerror=alert(…' in labels
    assert all(len(lab) <= F.LABEL_CHARS for lab in labels if lab not in {figs[1].fig.axes[0].get_title(loc="left")})
    # worst unit in the alt text is the script tag; in HTML it is escaped, never live markup
    assert "lowest is <script>alert(1)</script>" in figs[0].alt
    page = figs[0].to_html()
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # a 300-character name is cut in alt text too (80 characters), not dumped whole
    assert f"The highest is {'Đ' * 79}… (6.00)" in figs[2].alt


# ---- trend -------------------------------------------------------------------------------------


def _known_trend() -> pd.DataFrame:
    rows = []
    for unit, base in [("Hòa Bình", 70.0), ("Đắk Lắk", 80.0), ("Thừa Thiên Huế", 90.0)]:
        for k, year in enumerate(range(2020, 2024)):
            rows.append({"province": "X", "unit": unit, "unit_type": "district", "year": year,
                         "total": base + k})
    return pd.DataFrame(rows)


def test_trend_figure_labels_best_and_worst_and_has_integer_years():
    fig = F.trend_figure(_known_trend(), lang="vi", breaks=[2021.5])
    texts = _texts(fig.fig)
    assert "Thừa Thiên Huế (93,00)" in texts and "Hòa Bình (73,00)" in texts
    ax = fig.fig.axes[0]
    assert [lab.get_text() for lab in ax.get_xticklabels()] == ["2020", "2021", "2022", "2023"]
    assert ax.get_title(loc="left") == "Diễn biến Chỉ số CCHC qua các năm"
    assert ax.get_ylabel() == "Chỉ số CCHC (điểm)"
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and len(ln.get_xdata()) == 2]
    assert [float(ln.get_xdata()[0]) for ln in dashed] == [2021.5]
    mean_line = [ln for ln in ax.get_lines() if ln.get_label() == "Trung bình của tỉnh"][0]
    assert mean_line.get_ydata().tolist() == [80.0, 81.0, 82.0, 83.0] and mean_line.get_linewidth() == 3.0
    assert fig.alt == (
        "Biểu đồ đường: Chỉ số CCHC của 3 đơn vị từ 2020 đến 2023; đường đậm là trung bình của tỉnh, "
        "từ 80,00 năm 2020 đến 83,00 năm 2023. Năm 2023, cao nhất là Thừa Thiên Huế (93,00), "
        "thấp nhất là Hòa Bình (73,00)."
    )
    ticks = [lab.get_text() for lab in ax.get_yticklabels()]
    assert ticks and all("." not in s for s in ticks)  # vi: decimal comma on the axis too


def test_trend_figure_english_one_year_and_national_mean():
    df = _known_trend()
    one = df[df.year == 2023].assign(unit_type="province")
    fig = F.trend_figure(one, lang="en")
    assert fig.alt == (
        "Chart: PAR INDEX of 3 units, data for 2023 only; national mean 83.00. "
        "The highest is Thừa Thiên Huế (93.00) and the lowest is Hòa Bình (73.00)."
    )
    labels = [ln.get_label() for ln in fig.fig.axes[0].get_lines()]
    assert "National mean" in labels


def test_trend_figure_component_and_empty():
    df = _known_trend().assign(tthc=lambda d: d["total"] / 10)
    fig = F.trend_figure(df, value="tthc", lang="vi")
    assert fig.fig.axes[0].get_title(loc="left") == "Diễn biến Thủ tục hành chính qua các năm"
    empty = F.trend_figure(df.assign(total=np.nan), lang="en")
    assert empty.alt == "Empty chart because there is no data."


# ---- means -------------------------------------------------------------------------------------


def test_means_figure_orders_units_and_prints_letters():
    means = pd.DataFrame({
        "unit": ["B", "A", "C"], "mean": [75.0, 82.5, 60.25],
        "ci_low": [70.0, 80.0, np.nan], "ci_high": [80.0, 85.0, np.nan], "letters": ["ab", "a", "b"],
    })
    fig = F.means_figure(means, "vi", xlabel="Điểm trung bình (2020–2024)")
    ax = fig.fig.axes[0]
    assert [lab.get_text() for lab in row_label_texts(ax)] == ["A", "B", "C"]
    assert ax.get_yticks().size == 0  # the names are texts, not tick labels
    texts = _texts(fig.fig)
    assert {"a", "ab", "b", "Nhóm"} <= set(texts)
    assert ax.get_xlabel() == "Điểm trung bình (2020–2024)"
    assert fig.alt == (
        "Biểu đồ điểm: điểm trung bình và khoảng tin cậy 95% của 3 đơn vị, xếp từ cao xuống thấp. "
        "Cao nhất là A (82,50), thấp nhất là C (60,25). "
        "Các đơn vị có chung chữ cái chưa khác biệt rõ về mặt thống kê."
    )


# ---- heatmap -----------------------------------------------------------------------------------


def test_component_heatmap_shows_percent_of_each_maximum():
    row = {"province": "X", "unit_type": "district", "year": 2024}
    a = {c.code: c.max_points * 0.5 for c in SPEC.components}
    b = {c.code: c.max_points for c in SPEC.components}
    b["tac_dong"] = SPEC.component("tac_dong").max_points * 0.8
    df = pd.DataFrame([
        {**row, "unit": "Yếu", "total": sum(a.values()), **a},
        {**row, "unit": "Mạnh", "total": sum(b.values()), **b},
    ])
    fig = F.component_heatmap(df, SPEC, "vi")
    ax = fig.fig.axes[0]
    assert [lab.get_text() for lab in row_label_texts(ax)] == ["Mạnh", "Yếu"]
    assert [lab.get_text() for lab in ax.get_xticklabels()] == [
        "Chỉ đạo, điều hành", "Thể chế", "Thủ tục hành chính", "Tổ chức bộ máy",
        "Chế độ công vụ", "Tài chính công", "Chính phủ điện tử, số", "Tác động của CCHC",
    ]
    (values,) = [a for a in ax.get_children() if isinstance(a, CellValues)]
    assert values.strings == ["100"] * 7 + ["80"] + ["50"] * 8
    assert values.colours == ["w"] * 8 + [".15"] * 8  # white on the dark (100 %, 80 %) cells
    assert not values.get_in_layout()
    assert fig.alt == (
        "Bản đồ nhiệt: kết quả 8 lĩnh vực của 2 đơn vị năm 2024, tính theo % điểm tối đa. "
        "Lĩnh vực đạt cao nhất bình quân là Chỉ đạo, điều hành (75,0%), "
        "thấp nhất là Tác động của CCHC (65,0%)."
    )


def test_component_heatmap_refuses_several_years():
    with pytest.raises(ValueError, match=r"component_heatmap expects one year of scores, got years \[2023, 2024\]"):
        F.component_heatmap(_scores(["A", "B"], range(2023, 2025)), SPEC, "vi")


# ---- rating bands ------------------------------------------------------------------------------


def test_band_distribution_stacks_in_band_order():
    counts = pd.DataFrame({
        "year": [2023, 2023, 2024, 2024, 2024],
        "band_label": ["Tốt", "Khá", "Xuất sắc", "Tốt", "Yếu"],
        "n": [4, 6, 1, 7, 2],
    })
    order = [b.label("vi") for b in SPEC.scheme().bands]
    fig = F.band_distribution_figure(counts, "vi", order=order)
    ax = fig.fig.axes[0]
    heights = {(round(p.get_x() + p.get_width() / 2), round(p.get_y()), p.get_height()) for p in ax.patches}
    # 2024: Xuất sắc 1 at the bottom, then Tốt 7 from 1, Yếu 2 from 8
    assert {(2024, 0, 1.0), (2024, 1, 7.0), (2024, 8, 2.0), (2023, 0, 4.0), (2023, 4, 6.0)} <= heights
    # each segment's count centred in it, drawn by one CellValues artist (not a Text a segment)
    values = next(a for a in ax.get_children() if isinstance(a, CellValues))
    drawn = {(float(x), float(y)): s for (x, y), s in zip(values.xy, values.strings)}
    assert drawn == {(2024.0, 0.5): "1", (2024.0, 4.5): "7", (2024.0, 9.0): "2", (2023.0, 2.0): "4", (2023.0, 7.0): "6"}
    assert values.get_fontsize() == 8 and not values.get_in_layout()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(reversed(order))  # worst on top, as the bars stack
    assert fig.alt == (
        "Biểu đồ cột chồng: số đơn vị theo từng mức xếp loại, từ 2023 đến 2024. "
        "Năm 2024: Xuất sắc: 1; Tốt: 7; Yếu: 2."
    )
    one = F.band_distribution_figure(counts[counts.year == 2024], "en", order=["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"])
    assert one.alt == "Bar chart: number of units in each rating in 2024: Xuất sắc: 1; Tốt: 7; Yếu: 2."


def test_band_palette_runs_best_to_worst():
    pal = F._band_palette(5)
    assert matplotlib.colors.to_hex(pal[0]) == "#2166ac" and matplotlib.colors.to_hex(pal[-1]) == "#b2182b"
    assert len(F._band_palette(3)) == 3


# ---- output: PNG, HTML, size, speed ------------------------------------------------------------


def _four_figures(n_units: int = 25, years: range = range(2018, 2025), lang: str = "vi") -> list[F.Figure]:
    units = [f"Huyện Thủy Nguyên số {i}" for i in range(n_units - 2)] + ["Thừa Thiên Huế", "Bà Rịa – Vũng Tàu"]
    scores = _scores(units, years)
    latest = scores[scores.year == years[-1]]
    means = latest[["unit", "total"]].rename(columns={"total": "mean"})
    means = means.assign(ci_low=means["mean"] - 2, ci_high=means["mean"] + 2, letters="ab")
    scheme = SPEC.scheme()
    labels = scores["total"].map(lambda v: scheme.band_for(v).label(lang))
    counts = scores.assign(band_label=labels).groupby(["year", "band_label"], as_index=False).size()
    counts = counts.rename(columns={"size": "n"})
    return [
        F.trend_figure(scores, lang=lang, breaks=[2020.5]),
        F.means_figure(means, lang),
        F.component_heatmap(latest, SPEC, lang),
        F.band_distribution_figure(counts, lang, order=[b.label(lang) for b in scheme.bands]),
    ]


def test_four_figures_are_small_and_deterministic():
    _four_figures(5)  # warm up imports and font cache
    figs = _four_figures()
    pngs = [f.to_png() for f in figs]
    sizes = [len(p) for p in pngs]
    assert max(sizes) <= 120 * 1024, sizes
    assert figs[0].to_png() == pngs[0]  # no timestamp or version in the file
    assert F._png_size(pngs[0]) == (880, 418)


def test_to_html_is_an_img_with_escaped_alt_and_data_uri():
    fig = F.Figure(F.trend_figure(_known_trend(), lang="en").fig, alt='Chart of "A" & <B>')
    page = fig.to_html()
    assert page.startswith('<figure class="pb-figure"><img class="pb-img" alt="Chart of &quot;A&quot; &amp; &lt;B&gt;"')
    b64 = page.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(b64).startswith(b"\x89PNG")
    # In a notebook: a native image output, the alt text and CSS size in its metadata (for the export).
    bundle, meta = fig._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"} and bundle["text/plain"] == 'Chart of "A" & <B>'
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert meta["image/png"]["alt"] == fig.alt and f'width="{meta["image/png"]["width"]}"' in page
    assert html.unescape(page.split('alt="', 1)[1].split('"', 1)[0]) == fig.alt


def test_png_text_renders_vietnamese(tmp_path):
    # a rendered sample the reviewer can look at; glyph coverage itself is tested above
    with matplotlib.rc_context(F.brief_theme()):
        fig = matplotlib.figure.Figure(figsize=(8, 1))
        fig.text(0.01, 0.4, VI_SAMPLE, fontsize=14)
    png = F.to_png_bytes(fig)
    (tmp_path / "vi_sample.png").write_bytes(png)
    assert F._png_size(png) == (880, 110)


def test_short_wrapping_texts_are_drawn_unwrapped_to_the_same_pixels(monkeypatch):
    # figure_layout.fit switches wrapping off for texts far shorter than their line (matplotlib
    # would measure every word prefix to find no break): the picture is the one matplotlib's own
    # wrapping draws, and a text long enough to wrap keeps its wrapping.
    from parbrief.report import figure_layout

    long_title = " ".join(["Điểm trung bình và khoảng tin cậy 95% của các đơn vị cấp huyện"] * 3)
    # no letters, so no "Nhóm" heading: a long title over one is broken before it by fit itself
    # (tests/report/test_layout.py), not by matplotlib's wrapping
    means = pd.DataFrame({"unit": ["Huyện A", "Huyện B", "Thị xã C"], "mean": [75.0, 82.5, 60.25],
                          "ci_low": [70.0, 80.0, 55.0], "ci_high": [80.0, 85.0, 65.0]})

    def drawn() -> tuple[list[bytes], list[Text]]:
        figs = [F.means_figure(means, "vi", title=long_title), F.means_figure(means, "vi")]
        pngs = [F.to_png_bytes(fig) for f in figs for fig in (f.fig, f.narrow)]
        return pngs, [t for f in figs for t in f.fig.findobj(Text) if t.get_text()]

    fast, texts = drawn()
    wrapping = {t.get_text(): t.get_wrap() for t in texts}
    assert wrapping[long_title] is True and wrapping["Huyện A"] is False  # tick labels never wrap
    assert wrapping[F.t("column.mean", "vi")] is False  # a short axis label: drawn unwrapped
    monkeypatch.setattr(figure_layout, "_unwrap_short", lambda fig, texts: [])  # matplotlib's wrapping throughout
    slow, _ = drawn()
    assert fast == slow
