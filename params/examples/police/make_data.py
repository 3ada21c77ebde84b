"""Write the police examples' small synthetic datasets (deterministic; every score is made up).

    python params/examples/police/make_data.py

writes ``params/examples/police/scores.csv`` (Công an tỉnh Sóc Trăng scoring its district police
and departments, 2020–2024), ``params/examples/police/national.csv`` and
``params/examples/police_national/national.csv`` (the Ministry's table of 12 provincial police
forces, 2020–2024). The headers are the Vietnamese ones the ingest reads; the components are
those of ``params/examples/police/index.yaml`` and sum to the total.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEARS = range(2020, 2025)
#: (header, maximum) of the spec's components, in order.
COMPONENTS = [("Chỉ đạo điều hành", 10), ("Thể chế", 8), ("Thủ tục hành chính", 20), ("Tổ chức bộ máy", 8),
              ("Cán bộ chiến sĩ", 10), ("Tài chính công", 6), ("Chuyển đổi số", 20), ("Sự hài lòng", 18)]
DISTRICTS = ["Công an thành phố Sóc Trăng", "Công an thị xã Vĩnh Châu", "Công an thị xã Ngã Năm",
             "Công an huyện Mỹ Xuyên", "Công an huyện Kế Sách"]
DEPARTMENTS = ["Phòng Tham mưu", "Phòng Cảnh sát giao thông", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
               "Phòng Xây dựng phong trào bảo vệ an ninh Tổ quốc"]
PROVINCES = ["Sóc Trăng", "Cần Thơ", "An Giang", "Bạc Liêu", "Cà Mau", "Hậu Giang", "Kiên Giang", "Trà Vinh",
             "Vĩnh Long", "Bến Tre", "Tiền Giang", "Đồng Tháp"]
HEADER = ["Tỉnh", "Đơn vị", "Loại đơn vị", "Năm", "Tổng điểm"] + [name for name, _ in COMPONENTS]


def _row(rng: random.Random, province: str, unit: str, kind: str, year: int, level: float) -> list[object]:
    """One unit-year: each component a share of its maximum around ``level``; the total their sum."""
    parts = [round(mx * min(1.0, max(0.3, level + rng.gauss(0, 0.04))), 2) for _, mx in COMPONENTS]
    return [province, unit, kind, year, round(sum(parts), 2)] + parts


def _write(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(2022)
    units = [(u, "huyện", 0.80 + 0.03 * i) for i, u in enumerate(DISTRICTS)]
    units += [(u, "phòng", 0.84 + 0.025 * i) for i, u in enumerate(DEPARTMENTS)]
    scores = [_row(rng, "Sóc Trăng", u, kind, y, base + 0.01 * (y - 2020))
              for y in YEARS for u, kind, base in units]
    national = [_row(rng, "Việt Nam", p, "tỉnh", y, 0.78 + 0.012 * ((i * 5) % 12) + 0.008 * (y - 2020))
                for y in YEARS for i, p in enumerate(PROVINCES)]
    _write(HERE / "scores.csv", scores)
    _write(HERE / "national.csv", national)
    _write(HERE.parent / "police_national" / "national.csv", national)


if __name__ == "__main__":
    main()
