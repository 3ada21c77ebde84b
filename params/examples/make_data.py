"""Synthetic datasets of the example specs (PAPI, PCI, SIPAS): one province's districts and a small
national table, a few years. SYNTHETIC: made-up scores for real place names, for illustration only.

    python params/examples/make_data.py        # rewrites params/examples/*/scores.csv

Deterministic (fixed seeds): the committed CSVs are this script's output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
PROVINCES = ["Sóc Trăng", "Hà Nội", "Hải Phòng", "Đà Nẵng", "Lạng Sơn", "Thanh Hóa", "Hà Tĩnh", "Cần Thơ"]
DISTRICTS = ["Thành phố Sóc Trăng", "Huyện Châu Thành", "Huyện Kế Sách", "Huyện Mỹ Tú", "Huyện Cù Lao Dung",
             "Huyện Long Phú", "Huyện Mỹ Xuyên", "Thị xã Ngã Năm"]


def _rows(spec: dict, years: list[int], seed: int, level: float, given: bool = False) -> list[dict]:
    """Scores of every unit and year: a unit effect, a small yearly drift, noise; within 1..max."""
    rng = np.random.default_rng(seed)
    comps = spec["components"]
    weighted = spec.get("total") == "weighted"
    offset = rng.normal(0, 0.1, len(comps))  # each component its own level (weights then matter)
    out = []
    for province, units, utype in (("Việt Nam", PROVINCES, "province"), ("Sóc Trăng", DISTRICTS, "district")):
        effect = rng.normal(0, 0.08, len(units))
        for k, year in enumerate(years):
            for i, unit in enumerate(units):
                row = {"province": province, "unit": unit, "unit_type": utype, "year": year}
                total = 0.0
                for j, c in enumerate(comps):
                    mx = float(c["max_points"])
                    x = mx * (level + offset[j] + effect[i] + 0.02 * k + rng.normal(0, 0.04))
                    x = round(float(np.clip(x, mx * 0.1, mx)), 2)
                    row[c["code"]] = x
                    total += x * (float(c.get("weight", 1)) if weighted else 1.0)
                if given:  # a published index: not the sum of its parts (a survey's own weighting)
                    total = float(np.mean([row[c["code"]] for c in comps])) + rng.normal(0, 0.5)
                row["total"] = round(total, 2)
                out.append(row)
    return out


def write(folder: str, years: list[int], seed: int, level: float, given: bool = False, drop: tuple = ()) -> Path:
    spec = yaml.safe_load((HERE / folder / "spec.yaml").read_text(encoding="utf-8"))
    rows = _rows(spec, years, seed, level, given)
    codes = [c["code"] for c in spec["components"] if c["code"] not in drop]
    path = HERE / folder / "scores.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["province", "unit", "unit_type", "year", "total", *codes], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


if __name__ == "__main__":
    print(write("papi", [2015, 2016, 2017], seed=2017, level=0.62))
    print(write("pci", [2019, 2020, 2021], seed=2021, level=0.64))
    print(write("sipas", [2021, 2022, 2023], seed=2023, level=0.84, given=True, drop=("gop_y",)))
