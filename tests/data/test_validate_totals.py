"""How a total is checked, by the spec's ``total`` (issue 12): ``sum``, ``weighted`` (Σ weight × score),
``given`` (the published total kept: not computed, not checked, components may be missing)."""

from __future__ import annotations

import math

from parbrief.data.validate import validate_file
from parbrief.spec import parse_spec

HEADER = ["Tỉnh", "Đơn vị", "Loại đơn vị", "Năm", "Tổng điểm", "a", "b"]


def _spec(total: str, **kw):
    return parse_spec({
        "id": "t", "total": total, "total_max": kw.get("total_max", 100),
        "components": [{"code": "a", "name_vi": "A", "name_en": "A", "max_points": 10, "weight": kw.get("wa", 4)},
                       {"code": "b", "name_vi": "B", "name_en": "B", "max_points": 10, "weight": kw.get("wb", 6)}],
        "band_schemes": {"s": {"bands": [{"code": "x", "label_vi": "X", "label_en": "X"}]}},
    }, source="t.yaml")


def _messages(report, lang="en"):
    return [(p.kind, p.row, p.format(lang)) for p in report.problems]


def test_weighted_total_is_checked_against_weighted_sum(write_csv):
    path = write_csv("w.csv", [["Tỉnh A", "Huyện X", "huyện", 2023, 68, 5, 8],     # 4×5 + 6×8 = 68
                               ["Tỉnh A", "Huyện Y", "huyện", 2023, 13, 5, 8],     # the plain sum: refused
                               ["Tỉnh A", "Huyện Z", "huyện", 2023, "", 7.5, 9]],  # blank: 4×7.5 + 6×9 = 84
                      header=HEADER)
    report = validate_file(path, spec=_spec("weighted"))
    kinds = [(k, r) for k, r, _ in _messages(report)]
    assert ("total_mismatch", 3) in kinds and ("total_computed", None) in kinds
    text = {k: m for k, _, m in _messages(report)}
    assert "Total 13 differs from the weighted sum of the components 68 (by -55; tolerance ±0.05)" in text["total_mismatch"]
    assert "computed as the weighted sum of the components" in text["total_computed"]
    vi = {k: m for k, _, m in _messages(report, "vi")}
    assert "khác tổng điểm các tiêu chí nhân trọng số 68" in vi["total_mismatch"]
    totals = dict(zip(report.frame["unit"], report.frame["total"]))
    assert totals["Huyện X"] == 68 and math.isclose(totals["Huyện Z"], 84)


def test_sum_total_still_refuses_a_weighted_one(write_csv):
    path = write_csv("s.csv", [["Tỉnh A", "Huyện X", "huyện", 2023, 18, 5, 8]], header=HEADER)
    report = validate_file(path, spec=_spec("sum", total_max=20))
    mismatch = [m for k, _, m in _messages(report) if k == "total_mismatch"]
    assert len(mismatch) == 1 and "differs from the sum of the components 13" in mismatch[0]


def test_given_total_is_kept_unchecked_and_components_may_be_missing(write_csv):
    spec = _spec("given", total_max=100)
    path = write_csv("g.csv", [["Tỉnh A", "Huyện X", "huyện", 2023, 87.3, 5],
                               ["Tỉnh A", "Huyện Y", "huyện", 2023, "", 6]], header=HEADER[:-1])  # no column b
    report = validate_file(path, spec=spec)
    msgs = _messages(report)
    assert [(k, r) for k, r, _ in msgs] == [("missing_total", 3)], msgs  # no warning about column b, no mismatch
    assert "this index publishes its total (total: given in the spec)" in msgs[0][2]
    assert report.frame.empty or "Huyện Y" not in set(report.frame["unit"])
    ok = validate_file(write_csv("g2.csv", [["Tỉnh A", "Huyện X", "huyện", 2023, 87.3, 5]], header=HEADER[:-1]), spec=spec)
    assert ok.ok and ok.frame["total"].tolist() == [87.3]


def test_given_total_without_a_total_column_is_refused(write_csv):
    path = write_csv("n.csv", [["Tỉnh A", "Huyện X", "huyện", 2023, 5, 8]], header=[*HEADER[:4], "a", "b"])
    report = validate_file(path, spec=_spec("given", total_max=100))
    assert "missing_column" in [k for k, _, _ in _messages(report)]
