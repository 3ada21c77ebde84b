"""The nation's own brief: the national table rendered as a brief whose units are the provinces."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from parbrief.data.store import Store
from parbrief.data.validate import NATIONAL
from parbrief.text.formats import fmt_number
from parbrief.text.messages import t


def _text(path) -> str:
    html = path.read_text(encoding="utf-8")
    assert "Traceback" not in html and "http://" not in html and "https://" not in html
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", html)).split())


@pytest.fixture(scope="session")
def national_2024(demo_store, tmp_path_factory):
    """The nation's 2024 brief alone (asked for as "Viet Nam"), with the overview."""
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-nation")
    return render(data=demo_store, out=out, year=2024, provinces=["Viet Nam"], lang="vi", workers=1, progress=False)


@pytest.fixture(scope="session")
def national_2025_en(demo_store, tmp_path_factory):
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-nation-2025")
    return render(data=demo_store, out=out, year=2025, provinces=["Vietnam"], lang="en", workers=1, progress=False,
                  overview=False)


def _national(store) -> pd.DataFrame:
    with Store(store, read_only=True) as s:
        return s.scores(province=NATIONAL)


def test_only_the_nation_is_rendered(national_2024):
    assert national_2024.exit_code == 0, national_2024.lines()
    assert [o.slug for o in national_2024.outcomes] == ["viet-nam", "overview"]
    manifest = json.loads(national_2024.manifest.read_text(encoding="utf-8"))
    assert "viet-nam" in json.dumps(manifest)
    index = (national_2024.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="viet-nam.html"' in index
    assert (national_2024.out_dir / "viet-nam.xlsx").is_file()


def test_national_brief_2024_vi_agrees_with_the_overview(national_2024, demo_store):
    text = _text(national_2024.out_dir / "viet-nam.html")
    overview = _text(national_2024.out_dir / "overview.html")
    nat = _national(demo_store)
    year = nat[nat["year"] == 2024]
    mean = year["total"].mean()
    assert t("national.title", "vi", index="Chỉ số CCHC", year=2024) in text
    assert fmt_number(mean, "vi") in text and t("national.card.mean", "vi") in text
    change = mean - nat[nat["year"] == 2023]["total"].mean()
    assert f"{fmt_number(abs(change), 'vi')} điểm so với năm 2023" in text
    best = year.loc[year["total"].idxmax()]
    low = year.loc[year["total"].idxmin()]
    assert f"Cao nhất là {best['unit']} ({fmt_number(best['total'], 'vi')} điểm)" in text
    assert f"thấp nhất là {low['unit']} ({fmt_number(low['total'], 'vi')} điểm)" in text
    # the overview ranks the same province first and last
    rows = re.findall(r"<tr>.*?</tr>", (national_2024.out_dir / "overview.html").read_text(encoding="utf-8"), re.S)
    cells = [re.sub(r"<[^>]+>", " ", r).split() for r in rows]
    assert best["unit"] in overview and any(c[:1] == ["1"] and best["unit"].split()[0] in c for c in cells)
    # no national rank of the nation itself; the provinces are the units
    assert t("brief.card.rank", "vi") not in text
    assert t("national.over.heading.league_table", "vi") in text
    assert t("brief.attention.heading", "vi") in text
    assert t("national.region.heading", "vi") in text
    assert t("heading.satisfaction", "vi") not in text


def test_national_brief_2025_en_new_map(national_2025_en, demo_store):
    assert national_2025_en.exit_code == 0, national_2025_en.lines()
    assert [o.slug for o in national_2025_en.outcomes] == ["viet-nam"]
    text = _text(national_2025_en.out_dir / "viet-nam.html")
    nat = _national(demo_store)
    assert fmt_number(nat[nat["year"] == 2025]["total"].mean(), "en") in text
    assert "34 provinces" in text and t("national.card.new_map", "en") in text
    assert t("national.history.title", "en") in text  # the 63-province table, described apart
    assert "not joined to the old series" in text
    assert "Đ" not in t("national.region.heading", "en") and t("national.region.heading", "en") in text
