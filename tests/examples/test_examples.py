"""The example specs of params/examples (PAPI, PCI, SIPAS): each validates, ingests and renders in
Vietnamese and English through the CLI, and its brief says what the spec makes of the scores —
quartile groups of each year (PAPI), a weighted total (PCI), a published total kept (SIPAS) — and
the units per band in words.

Expected figures are recomputed here from the example's CSV (numpy quantiles, pandas thresholds),
independently of parbrief's own band code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from parbrief.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "params" / "examples"
PROVINCE = "Sóc Trăng"


def _text(path: Path) -> str:
    """The visible text of a rendered page, whitespace collapsed."""
    s = re.sub(r"<style.*?</style>|<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", s)))


def _render(name: str, tmp: Path) -> dict[str, str]:
    """Validate, ingest and render the example in vi and en: {lang: the province brief's text}."""
    folder = EXAMPLES / name
    spec, scores = folder / "spec.yaml", folder / "scores.csv"
    assert main(["validate", str(scores), "--spec", str(spec)]) == 0
    store = tmp / f"{name}.duckdb"
    assert main(["ingest", str(scores), "--spec", str(spec), "--store", str(store)]) == 0
    out: dict[str, str] = {}
    year = int(pd.read_csv(scores)["year"].max())
    for lang in ("vi", "en"):
        dest = tmp / f"out-{lang}"
        assert main(["render", "--params", str(folder / "params.yaml"), "--data", str(store), "--province", PROVINCE,
                     "--lang", lang, "--out", str(dest), "--workers", "1"]) == 0
        out[lang] = _text(dest / str(year) / "soc-trang.html")
    return out


def _frame(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / name / "scores.csv")


@pytest.fixture(scope="module")
def papi(tmp_path_factory) -> dict[str, str]:
    return _render("papi", tmp_path_factory.mktemp("papi"))


@pytest.fixture(scope="module")
def pci(tmp_path_factory) -> dict[str, str]:
    return _render("pci", tmp_path_factory.mktemp("pci"))


@pytest.fixture(scope="module")
def sipas(tmp_path_factory) -> dict[str, str]:
    return _render("sipas", tmp_path_factory.mktemp("sipas"))


# ---------------------------------------------------------------------------- PAPI: quartile groups


def _papi_group(score: float, year_scores: np.ndarray) -> int:
    """0 = highest group: the quartiles of the year's scores (R's type 7), ties to the upper group."""
    q75, q50, q25 = np.quantile(year_scores, [0.75, 0.5, 0.25])
    return 0 if score >= q75 else 1 if score >= q50 else 2 if score >= q25 else 3


def test_papi_says_the_quartile_groups_of_the_year(papi):
    d = _frame("papi")
    year = int(d["year"].max())
    districts = d[(d["province"] == PROVINCE) & (d["year"] == year)]["total"].to_numpy()
    counts = np.bincount([_papi_group(x, districts) for x in districts], minlength=4)
    assert counts.tolist() == [2, 2, 2, 2]  # eight districts: two per quartile
    assert (f"Năm {year}, 2 đơn vị thuộc nhóm cao nhất, 2 thuộc nhóm trung bình cao, 2 thuộc nhóm trung bình thấp, "
            "2 thuộc nhóm thấp nhất") in papi["vi"]
    assert (f"In {year}, 2 units were in the highest group, 2 in the upper-middle group, 2 in the lower-middle group "
            "and 2 in the lowest group") in papi["en"]
    # the province's own group among the year's provinces of the national table
    nat = d[(d["province"] == "Việt Nam") & (d["year"] == year)]
    own = float(nat.loc[nat["unit"] == PROVINCE, "total"].iloc[0])
    group = _papi_group(own, nat["total"].to_numpy())
    vi = ["nhóm cao nhất", "nhóm trung bình cao", "nhóm trung bình thấp", "nhóm thấp nhất"][group]
    en = ["highest group", "upper-middle group", "lower-middle group", "lowest group"][group]
    assert re.search(rf"đạt {own:.2f}".replace(".", ",") + rf" điểm, thuộc {vi}", papi["vi"])
    assert re.search(rf"{own:.2f} points.{{0,40}}, in the {en}", papi["en"])
    # no movement of counts for groups fixed by construction; the methods say what the groups are
    assert "tăng từ" not in papi["vi"].split("Những điểm chính")[1].split("Cần quan tâm")[0]
    assert "Nhóm cao nhất: 25% số đơn vị của năm" in papi["vi"]
    assert "Highest group: 25% of the year's units" in papi["en"]


# ---------------------------------------------------------------------------- PCI: weighted total


PCI_BANDS = [(70, "Rất tốt", "Very good"), (65, "Tốt", "Good"), (60, "Khá", "Fair"), (55, "Trung bình", "Average"),
             (-1, "Tương đối thấp", "Relatively low")]


def _pci_counts(scores: pd.Series) -> list[int]:
    return [int(sum(1 for x in scores if _pci_band(x) == i)) for i in range(len(PCI_BANDS))]


def _pci_band(x: float) -> int:
    return next(i for i, (lo, _, _) in enumerate(PCI_BANDS) if round(x, 2) >= lo)


def _counts_text(counts: list[int], lang: str, first: str, last_sep: str) -> str:
    items = [(n, b[1 if lang == "vi" else 2]) for n, b in zip(counts, PCI_BANDS) if n]
    n0 = items[0][0]
    parts = [first.format(n=n0, label=items[0][1], were="unit was" if n0 == 1 else "units were")]
    parts += [f"{n} {label}" for n, label in items[1:]]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last_sep + parts[-1]


def test_pci_totals_are_the_weighted_sums_of_the_sub_indices():
    spec = yaml.safe_load((EXAMPLES / "pci" / "spec.yaml").read_text(encoding="utf-8"))
    weights = {c["code"]: c["weight"] for c in spec["components"]}
    assert sum(weights.values()) == 10  # ten sub-indices at 10 points make 100
    d = _frame("pci")
    weighted = sum(d[code] * w for code, w in weights.items())
    assert (weighted - d["total"]).abs().max() < 0.01
    assert (d[list(weights)].sum(axis=1) - d["total"]).abs().min() > 1  # not the plain sum


def test_pci_plain_sum_is_refused_as_not_the_weighted_total(tmp_path, capsys):
    d = _frame("pci").head(3)
    codes = [c for c in d.columns if c not in ("province", "unit", "unit_type", "year", "total")]
    d.loc[0, "total"] = round(float(d.loc[0, codes].sum()), 2)  # a total made as a plain sum
    path = tmp_path / "plain.csv"
    d.to_csv(path, index=False)
    assert main(["validate", str(path), "--spec", str(EXAMPLES / "pci" / "spec.yaml"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "row 2, column 'total': Total" in out and "differs from the weighted sum of the components" in out
    assert "File plain.csv: 3 rows, 1 error, 0 warnings." in out


def test_pci_brief_counts_the_bands_and_their_movement(pci):
    d = _frame("pci")
    year = int(d["year"].max())
    own = d[d["province"] == PROVINCE]
    now, before = _pci_counts(own[own["year"] == year]["total"]), _pci_counts(own[own["year"] == year - 1]["total"])
    vi = _counts_text(now, "vi", "{n} đơn vị xếp loại {label}", ", ")
    en = _counts_text(now, "en", "{n} {were} rated {label}", " and ")
    assert f"Năm {year}, {vi}; so với năm {year - 1}, " in pci["vi"]
    assert f"In {year}, {en}; since {year - 1}, " in pci["en"]
    for i, (_, label_vi, label_en) in enumerate(PCI_BANDS):
        if now[i] > before[i]:
            assert f"{label_vi} tăng từ {before[i]} lên {now[i]} đơn vị" in pci["vi"]
            assert f"{label_en} rose from {before[i]} to {now[i]} units" in pci["en"]
        elif now[i] < before[i]:
            assert f"{label_vi} giảm từ {before[i]} xuống {now[i]} đơn vị" in pci["vi"]
            assert f"{label_en} fell from {before[i]} to {now[i]} {'unit' if now[i] == 1 else 'units'}" in pci["en"]
    assert any(a != b for a, b in zip(now, before))  # the example has a movement to say
    # the province's score is its published (weighted) total
    score = float(d[(d["province"] == "Việt Nam") & (d["unit"] == PROVINCE) & (d["year"] == year)]["total"].iloc[0])
    assert f"{score:.2f}".replace(".", ",") + " điểm" in pci["vi"]


# ---------------------------------------------------------------------------- SIPAS: the published total kept


def test_sipas_total_is_kept_as_published(sipas):
    d = _frame("sipas")
    year = int(d["year"].max())
    codes = ["tiep_can", "thu_tuc", "cong_chuc", "ket_qua"]
    assert "gop_y" not in d.columns  # the fifth aspect has no column: allowed with total: given
    assert ((d[codes].sum(axis=1) - d["total"]).abs() > 1).all()
    assert ((d[codes].mean(axis=1) - d["total"]).abs() > 0.01).mean() > 0.9
    own = float(d[(d["province"] == "Việt Nam") & (d["unit"] == PROVINCE) & (d["year"] == year)]["total"].iloc[0])
    assert f"In {year}, {PROVINCE} scored {own:.2f} points" in sipas["en"]
    assert f"đạt {own:.2f}".replace(".", ",") + " điểm" in sipas["vi"]
    # units per level, the level's name without its range
    units = d[(d["province"] == PROVINCE) & (d["year"] == year)]["total"]
    counts = [int((units.round(2) >= 90).sum()), int(((units.round(2) >= 80) & (units.round(2) < 90)).sum()),
              int((units.round(2) < 80).sum())]
    labels = [("Rất cao", "Very high"), ("Cao", "High"), ("Trung bình", "Medium")]
    shown = [(n, lab) for n, lab in zip(counts, labels) if n]
    vi = ", ".join([f"{shown[0][0]} đơn vị xếp loại {shown[0][1][0]}"] + [f"{n} {lab[0]}" for n, lab in shown[1:]])
    assert f"Năm {year}, {vi}" in sipas["vi"]
    en_first = f"{shown[0][0]} {'unit was' if shown[0][0] == 1 else 'units were'} rated {shown[0][1][1]}"
    assert f"In {year}, {en_first}" in sipas["en"]


def test_sipas_blank_total_is_refused_not_computed(tmp_path, capsys):
    d = _frame("sipas").head(2)
    d["total"] = d["total"].astype(object)
    d.loc[1, "total"] = ""
    path = tmp_path / "blank.csv"
    d.to_csv(path, index=False)
    assert main(["validate", str(path), "--spec", str(EXAMPLES / "sipas" / "spec.yaml"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "row 3, column 'total': The total is missing; this index publishes its total (total: given" in out
