"""The header vocabulary of input tables: canonical columns and the header texts users write for them.

Owned here so that the reader (which finds the header row) and the validator (which maps headers
to columns) share one list without importing each other. Texts are matched by
:func:`parbrief.data.names.header_key`, so accents, case and spacing do not matter.
"""

from __future__ import annotations

from parbrief.data.names import header_key

__all__ = [
    "SCORE_BASE_COLUMNS",
    "SURVEY_BASE_COLUMNS",
    "BASE_HEADERS",
    "SURVEY_HEADERS",
    "INFO_HEADERS",
    "known_header_keys",
]

SCORE_BASE_COLUMNS = ("province", "unit", "unit_type", "year")
SURVEY_BASE_COLUMNS = ("province", "unit", "year", "respondent", "satisfaction")

# Header texts of the base columns (matched by header_key, so accents/case/spacing do not matter).
BASE_HEADERS: dict[str, tuple[str, ...]] = {
    "province": ("province", "Tỉnh", "Tên tỉnh", "Tỉnh, thành phố", "Tỉnh/thành phố", "Tỉnh thành", "Tỉnh/TP"),
    "unit": (
        "unit", "Đơn vị", "Tên đơn vị", "Đơn vị được đánh giá", "Cơ quan, đơn vị", "Cơ quan", "Huyện",
        "Tên huyện", "Quận/huyện", "Huyện/thị xã/thành phố", "Huyện, thị xã, thành phố", "Sở, ngành",
        "Unit", "Unit name", "District", "Department",
    ),
    "unit_type": ("unit_type", "Loại đơn vị", "Loại hình đơn vị", "Cấp đơn vị", "Unit type", "Type"),
    "year": ("year", "Năm", "Năm đánh giá", "Year"),
    "total": (
        "total", "Tổng điểm", "Tổng", "Điểm tổng", "Tổng điểm đạt được", "Chỉ số", "Chỉ số CCHC",
        "PAR INDEX", "Chỉ số PAR INDEX", "Điểm", "Điểm số", "Total", "Total score", "Score",
    ),
}
SURVEY_HEADERS: dict[str, tuple[str, ...]] = {
    "respondent": (
        "respondent", "Người trả lời", "Mã người trả lời", "Mã phiếu", "Số phiếu", "Phiếu", "Respondent",
        "Respondent ID", "ID",
    ),
    "satisfaction": ("satisfaction", "Mức độ hài lòng", "Mức hài lòng", "Hài lòng", "Điểm hài lòng", "Satisfaction"),
}
# Informational columns: read by people, recomputed or not needed by parbrief; ignored with a warning.
INFO_HEADERS: dict[str, tuple[str, ...]] = {
    "rank": ("Xếp hạng", "Hạng", "Thứ hạng", "Rank", "Ranking"),
    "rating": ("Xếp loại", "Nhóm", "Nhóm xếp hạng", "Phân loại", "Rating", "Group", "Band", "Grade"),
    "note": ("Ghi chú", "Note", "Notes", "Remarks", "Comment", "Comments"),
    "row_number": ("STT", "TT", "Số TT", "Số thứ tự", "No", "No."),
    "change": ("Tăng/giảm", "Tăng giảm", "Thay đổi", "Change"),
    "percent": ("Tỷ lệ", "Tỉ lệ", "Percent", "Percentage"),
    "code": ("Mã", "Mã đơn vị", "Mã tỉnh", "Code", "Unit code"),
}


def known_header_keys() -> frozenset[str]:
    """Header keys of the data model's columns (base, survey and informational columns)."""
    keys = set()
    for group in (BASE_HEADERS, SURVEY_HEADERS, INFO_HEADERS):
        for texts in group.values():
            keys.update(header_key(t) for t in texts)
    return frozenset(k for k in keys if k)
