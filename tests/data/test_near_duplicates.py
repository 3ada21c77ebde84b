"""Near-duplicate units within a province across years: warned with the exact alias line, never merged."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from parbrief.data.names import load_aliases
from parbrief.data.near_duplicates import NearDuplicate, aliases_block, close_names, find_near_duplicates
from parbrief.data.store import Store, ingest_file


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Thị xã Đồng Hới", "Thành phố Đồng Hới", "prefix"),
        ("Đồng Hới", "Thành phố Đồng Hới", "prefix"),
        ("Huyện Đakrông", "Huyện Đa Krông", "spelling"),
        ("Huyện Triệu Phong", "Huyện Triêu Phong", "spelling"),
        ("Huyện Gio Linh", "Huyện Gio Lin", "spelling"),
        ("Phường 1", "Phường 2", None),                 # numbers differ
        ("Xã 01 – giả lập", "Xã 02 – giả lập", None),
        ("Huyện Vĩnh Linh", "Huyện Gio Linh", None),
        ("Thành phố Đồng Hới", "Thành phố Đông Hà", None),
        ("Huyện Vĩnh Linh", "HUYỆN VĨNH LINH", None),   # one key: unified, not a near-duplicate
        ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường", None),
    ],
)
def test_close_names(a: str, b: str, reason: str | None) -> None:
    assert close_names(a, b) == reason
    assert close_names(b, a) == reason


def _units(rows: list[tuple[str, str, str | None, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["province", "unit", "unit_type", "year"])


def test_pairs_need_disjoint_years_the_same_type_and_a_year_of_the_file() -> None:
    units = _units([
        ("Quảng Bình", "Thị xã Đồng Hới", "district", 2003), ("Quảng Bình", "Thị xã Đồng Hới", "district", 2004),
        ("Quảng Bình", "Thành phố Đồng Hới", "district", 2024),
        ("Quảng Trị", "Huyện Vĩnh Linh", "district", 2024),          # the 2025 commune is another unit
        ("Quảng Trị", "Xã Vĩnh Linh", "commune", 2025),
        ("Quảng Trị", "Huyện Đakrông", "district", 2023),             # same year: two units
        ("Quảng Trị", "Huyện Đa Krông", "district", 2023),
    ])
    found = find_near_duplicates(units, {"Quảng Bình": {2024}, "Quảng Trị": {2023, 2024, 2025}})
    assert found == (NearDuplicate("Quảng Bình", "Thị xã Đồng Hới", (2003, 2004), "Thành phố Đồng Hới", (2024,),
                                   "prefix"),)
    assert find_near_duplicates(units, {"Quảng Bình": {2020}}) == ()  # neither unit is in the file


def test_warning_text_names_province_spellings_years_and_the_alias_line() -> None:
    d = NearDuplicate("Quảng Bình", "Thị xã Đồng Hới", (2018, 2019, 2020), "Thành phố Đồng Hới", (2024,), "prefix")
    assert d.alias_line == '"Thị xã Đồng Hới": "Thành phố Đồng Hới"'
    assert d.message("en") == (
        "Warning: Quảng Bình: “Thị xã Đồng Hới” (2018–2020) and “Thành phố Đồng Hới” (2024) may be one unit "
        "written two ways (or the unit was upgraded: only the administrative prefix differs). They are kept as "
        "two units. If they are one unit, add this line to the aliases file under `aliases:` → `\"Quảng Bình\":` "
        "and ingest again with --aliases FILE (render reads the same file through the params' `aliases`):\n"
        '    "Thị xã Đồng Hới": "Thành phố Đồng Hới"'
    )
    assert d.message("vi").startswith(
        "Cảnh báo: Quảng Bình: “Thị xã Đồng Hới” (2018–2020) và “Thành phố Đồng Hới” (2024) có thể là cùng một "
        "đơn vị được viết theo hai cách (hoặc đơn vị đã được nâng cấp"
    )
    assert d.message("vi").endswith('\n    "Thị xã Đồng Hới": "Thành phố Đồng Hới"')


def test_the_printed_aliases_block_is_a_valid_aliases_file(tmp_path) -> None:
    pairs = [NearDuplicate("Quảng Bình", "Thị xã Đồng Hới", (2018,), "Thành phố Đồng Hới", (2024,), "prefix"),
             NearDuplicate("Quảng Trị", 'Huyện "Đa" Krông', (2018,), "Huyện Đakrông", (2024,), "spelling")]
    block = aliases_block(pairs)
    path = tmp_path / "aliases.yaml"
    path.write_text(block + "\n", encoding="utf-8")
    assert yaml.safe_load(block) == {"aliases": {"Quảng Bình": {"Thị xã Đồng Hới": "Thành phố Đồng Hới"},
                                                 "Quảng Trị": {'Huyện "Đa" Krông': "Huyện Đakrông"}}}
    assert load_aliases(path)["Quảng Bình"] == {"Thị xã Đồng Hới": "Thành phố Đồng Hới"}


def test_ingest_warns_then_the_alias_line_merges(tmp_path, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(write_csv("old.csv", [row("Quảng Bình", "Thị xã Đồng Hới", y) for y in (2003, 2004)]), db, spec=spec)
    new = write_csv("new.csv", [row("Quảng Bình", "Thành phố Đồng Hới", 2024)])
    result = ingest_file(new, db, spec=spec)
    [d] = result.near_duplicates
    assert (d.province, d.old, d.old_years, d.new, d.new_years) == (
        "Quảng Bình", "Thị xã Đồng Hới", (2003, 2004), "Thành phố Đồng Hới", (2024,))
    lines = result.summary("en").splitlines()
    assert d.message("en").splitlines()[0] in lines
    assert lines[lines.index("The aliases file that would merge every pair above:") + 1:][:3] == [
        "aliases:", '  "Quảng Bình":', '    "Thị xã Đồng Hới": "Thành phố Đồng Hới"']
    with Store(db, read_only=True) as st:  # warned, not merged
        assert sorted(set(st.scores(spec=spec)["unit"])) == ["Thành phố Đồng Hới", "Thị xã Đồng Hới"]

    # The user adds the printed block as the aliases file and ingests again: one unit, no warning.
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text(aliases_block(result.near_duplicates) + "\n", encoding="utf-8")
    again = ingest_file(new, db, spec=spec, aliases_path=aliases)
    assert again.near_duplicates == ()
    assert [(r.table, r.old, r.new, r.years, r.reason) for r in again.renames] == [
        ("scores", "Thị xã Đồng Hới", "Thành phố Đồng Hới", (2003, 2004), "alias")]
    with Store(db, read_only=True) as st:
        assert st.scores(spec=spec)["unit"].tolist() == ["Thành phố Đồng Hới"] * 3
