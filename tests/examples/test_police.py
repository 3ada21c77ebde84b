"""The police examples (params/examples/police, police_national): validated, ingested and rendered
in Vietnamese and English, as a user would with the README's commands, and the briefs speak the
police force's language: the force's name in the title, its own unit headings, the national rank
among "Công an các tỉnh, thành phố".
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from parbrief.cli import main

ROOT = Path(__file__).resolve().parents[2]
POLICE = ROOT / "params" / "examples" / "police"
MINISTRY = ROOT / "params" / "examples" / "police_national"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _text(page: Path) -> str:
    """The visible text of a page, one block per line (tags, styles and images dropped)."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<style.*?</style>|<script.*?</script>|<img[^>]*>", "", raw, flags=re.S)
    lines = (line.strip() for line in html.unescape(re.sub(r"<[^>]+>", "\n", raw)).splitlines())
    return "\n".join(line for line in lines if line)


def _ingest(store: Path, spec: Path, *files: Path) -> None:
    for f in files:
        assert main(["validate", str(f), "--spec", str(spec)]) == 0, f
        assert main(["ingest", str(f), "--store", str(store), "--spec", str(spec), "--keep-backups", "0"]) == 0, f


@pytest.fixture(scope="module")
def police(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The Sóc Trăng police brief of 2024 in each language (its text), and the overview's."""
    folder = tmp_path_factory.mktemp("police")
    store, spec = folder / "police.duckdb", POLICE / "index.yaml"
    _ingest(store, spec, POLICE / "scores.csv", POLICE / "national.csv")
    out: dict[str, str] = {}
    for lang in ("vi", "en"):
        target = folder / f"out-{lang}"
        assert main(["render", "--data", str(store), "--spec", str(spec), "--year", "2024", "--province", "Sóc Trăng",
                     "--lang", lang, "--out", str(target)]) == 0
        out[lang] = _text(target / "2024" / "soc-trang.html")
        out[f"index-{lang}"] = _text(target / "2024" / "index.html")
    return out


def test_police_brief_in_vietnamese_names_the_force_its_units_and_its_peers(police):
    text = police["vi"]
    assert "Chỉ số CCHC Công an tỉnh Sóc Trăng năm 2024" in text  # the title
    lines = text.splitlines()
    assert "Công an các huyện, thị xã, thành phố" in lines and "Các phòng nghiệp vụ" in lines  # unit headings
    assert "Huyện, thị xã, thành phố" not in lines and "Sở, ban, ngành" not in lines
    assert re.search(r"Năm 2024, Chỉ số CCHC của Công an tỉnh Sóc Trăng đạt [\d,]+ điểm, xếp loại \w[^,]*, "
                     r"xếp thứ \d+/12 Công an các tỉnh, thành phố", text)
    assert "so với Công an các tỉnh, thành phố khác" in text
    assert "tỉnh, thành phố khác" not in text.replace("Công an các tỉnh, thành phố khác", "")
    assert "khối Công an cấp huyện" in text and "các sở, ban, ngành" not in text
    assert "Báo cáo Chỉ số CCHC Công an các tỉnh, thành phố năm 2024" in police["index-vi"]


def test_police_brief_in_english_names_the_force_its_units_and_its_peers(police):
    text = police["en"]
    assert "PAR INDEX of Sóc Trăng Provincial Police, 2024" in text
    lines = text.splitlines()
    assert "District police" in lines and "Departments" in lines
    assert "Districts, towns and cities" not in lines and "Departments and agencies" not in lines
    assert re.search(r"In 2024, Sóc Trăng Provincial Police scored [\d.]+ points on the PAR INDEX, [^;]*"
                     r"ranking \d+ of 12 provincial police forces", text)
    assert "PAR INDEX briefs of the provincial police forces, 2024" in police["index-en"]


@pytest.mark.parametrize("lang, title, table", [
    ("vi", "Chỉ số CCHC Công an các tỉnh, thành phố năm 2024", "Bảng xếp hạng Công an các tỉnh, thành phố"),
    ("en", "PAR INDEX of the provincial police forces, 2024", "Ranking of the provincial police forces"),
])
def test_ministry_table_of_police_forces_renders_its_overview(tmp_path, lang, title, table):
    spec = MINISTRY / "index.yaml"
    store = tmp_path / "ministry.duckdb"
    _ingest(store, spec, MINISTRY / "national.csv")
    assert main(["render", "--data", str(store), "--spec", str(spec), "--year", "2024", "--lang", lang,
                 "--out", str(tmp_path / "out")]) == 0
    text = _text(tmp_path / "out" / "2024" / "overview.html")
    assert title in text and table in text
    assert "Công an tỉnh, thành phố" in text.splitlines() if lang == "vi" else "Provincial police force" in text
