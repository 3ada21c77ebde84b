""""Cần quan tâm" (analysis.attention): the survey's lowest unit is a signal (issue #13, review 5).

Small hand-made briefs: four districts over 2022–2024 and a survey of 2024 whose respondents rate
one district clearly lower (the survey test is significant), or all alike (no signal).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from parbrief.analysis.attention import survey_lowest
from parbrief.analysis.brief import build_brief
from parbrief.report import leader as L

UNITS = ["Huyện A", "Huyện B", "Huyện C", "Huyện D"]


def _scores() -> pd.DataFrame:
    rows = [("Tỉnh Thử", u, "district", y, 90.0 - 4 * i + 0.5 * (y - 2022) + 0.1 * ((3 * i + y) % 4))
            for i, u in enumerate(UNITS) for y in (2022, 2023, 2024)]
    return pd.DataFrame(rows, columns=["province", "unit", "unit_type", "year", "total"])


def _survey(ratings: dict[str, list[int]]) -> pd.DataFrame:
    rows = [("Tỉnh Thử", u, 2024, k + 1, r) for u, rs in ratings.items() for k, r in enumerate(rs)]
    return pd.DataFrame(rows, columns=["province", "unit", "year", "respondent", "satisfaction"])


#: 40 respondents a unit; Huyện D's are clearly the least satisfied.
CLEAR = {"Huyện A": [5, 4, 4, 5] * 10, "Huyện B": [4, 4, 5, 3] * 10, "Huyện C": [4, 3, 4, 5] * 10,
         "Huyện D": [2, 1, 2, 3] * 10}


def _brief(survey: pd.DataFrame, lang: str = "vi"):
    return build_brief(province="Tỉnh Thử", year=2024, data="x", lang=lang,
                       frames=(_scores(), survey, "ab" * 32, {}))


def test_the_least_satisfied_unit_is_named_once_with_its_other_signals():
    b = _brief(_survey(CLEAR))
    assert b.survey.significant
    concerns = [c for c in b.attention.units if c.unit == "Huyện D"]
    assert len(concerns) == 1  # a unit appears once, with all its signals
    d = concerns[0]
    # Huyện D is also the lowest score of the districts this year: one line, both reasons
    assert d.signals[0] == "lowest" and d.signals[-1] == "survey_lowest"
    assert d.survey_mean == pytest.approx(2.0)  # mean of 2, 1, 2, 3
    assert (d.survey_n, d.survey_units) == (40, 4)
    assert not any("survey_lowest" in c.signals for c in b.attention.units if c.unit != "Huyện D")
    line = next(s for s in L.attention_items(b) if s.startswith("Huyện D:"))
    # 90 − 4·3 + 0,5·2 + 0,1·((9 + 2024) mod 4) = 79,10
    assert line == ("Huyện D: thấp nhất trong các huyện năm 2024 (79,10 điểm); mức độ hài lòng của người dân, "
                    "tổ chức thấp nhất trong 4 đơn vị được khảo sát năm 2024 (2,00/5 điểm).")
    en = next(s for s in L.attention_items(_brief(_survey(CLEAR), "en")) if s.startswith("Huyện D:"))
    assert en.endswith("; lowest satisfaction of the 4 units surveyed in 2024 (2.00 of 5).")


def test_no_signal_when_the_survey_finds_no_clear_difference():
    alike = {u: [5, 4, 3, 4] * 10 for u in UNITS}
    b = _brief(_survey(alike))
    assert b.survey is not None and not b.survey.significant
    assert survey_lowest(b.survey) is None
    assert not any("survey_lowest" in c.signals for c in b.attention.units)


def test_a_surveyed_unit_without_scores_this_year_is_still_named():
    ratings = {**CLEAR, "Huyện E": [1, 2, 1, 1] * 10}  # surveyed, not in the scores
    b = _brief(_survey(ratings))
    least = survey_lowest(b.survey)
    assert (least.unit, least.mean, least.units) == ("Huyện E", pytest.approx(1.25), 5)
    e = next(c for c in b.attention.units if c.unit == "Huyện E")
    assert e.signals == ("survey_lowest",) and math.isnan(e.score) and e.rank == 0
    assert any(s == "Huyện E: mức độ hài lòng của người dân, tổ chức thấp nhất trong 5 đơn vị được khảo sát "
                    "năm 2024 (1,25/5 điểm)." for s in L.attention_items(b))
