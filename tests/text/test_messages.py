"""The message loader's plural forms and per-language values, and errors built from message keys."""

from __future__ import annotations

import pytest

from parbrief.errors import ParamsError, Problem, SpecError
from parbrief.stats._results import Note, cannot_test
from parbrief.text.codes import note_text, reason_text
from parbrief.text.messages import Joined, Msg, PerLang, fill, t, t_count, texts


def test_plural_forms_pick_the_word_by_the_count():
    assert t("reason.too_few_years", "en", n_years=1, min_years=4) == "only 1 year of data; at least 4 are needed"
    assert t("reason.too_few_years", "en", n_years=3, min_years=4) == "only 3 years of data; at least 4 are needed"
    assert t("reason.too_few_years", "en", n_years="1", min_years=4).startswith("only 1 year of")  # a formatted count
    assert t("reason.too_few_years", "en", n_years=0, min_years=4).startswith("only 0 years of")
    assert t("reason.too_few_years", "vi", n_years=1, min_years=4) == "mới có số liệu 1 năm, cần ít nhất 4 năm"
    # several counts in one sentence, each with its own form
    one = t("note.incomplete_panel_dropped", "en", units_dropped=1, years_dropped=2, n_units=5, n_years=1)
    assert one == ("for the rank check 1 unit and 2 years with gaps were left out (5 units × 1 year used)")


def test_values_are_not_read_as_templates():
    hostile = "{n|a|b} {0} }{"
    assert t("data_check.summary_row.message", "en", cell=hostile) == f"Row '{hostile}' is a summary line, not a unit; skipped."


def test_values_per_language_and_nested_messages():
    name = PerLang("Cải cách thủ tục hành chính", "Administrative procedures")
    both = texts("data_check.subject_component", name=name)
    assert both == {"vi": "tiêu chí “Cải cách thủ tục hành chính”", "en": "'Administrative procedures'"}
    listed = Joined([Msg("data_check.quote", text="a"), "b"], " + ")
    assert listed.text("vi") == "“a” + b" and listed.text("en") == "'a' + b"


def test_t_count_picks_the_sub_key_and_fill_shows_a_missing_field_as_a_dash():
    assert t_count("ingest.backups_kept", "en", 1) == "only the newest backup is kept"
    assert t_count("ingest.backups_kept", "en", 3) == "the newest 3 backups are kept"
    assert fill("reason.too_few_units", "en", {"n_units": 2}) == "only 2 units have data; at least – are needed"
    with pytest.raises(KeyError, match="no string 'no.such.key'"):
        t("no.such.key", "en")


def test_keyed_errors_carry_both_languages_and_str_is_english():
    err = SpecError.keyed("spec.error.not_found", path="x.yaml")
    assert str(err) == err.message("en") == "x.yaml: spec file not found; pass an existing YAML file with --spec"
    assert err.message("vi").startswith("x.yaml: không tìm thấy tệp bộ chỉ số")
    assert err.message_key == "spec.error.not_found"
    plain = ParamsError("a message built elsewhere")
    assert plain.message("vi") == plain.message("en") == "a message built elsewhere"


def test_keyed_problem_has_message_and_hint_in_both_languages():
    p = Problem.keyed("f.csv", 3, "Năm", "bad_year", "data_check.bad_year", cell="20x4")
    assert p.message_en == "Year '20x4' is not a year (a 4-digit integer)." and p.hint_en.startswith("Write the year")
    assert p.message_vi == "Năm “20x4” không phải là một năm (số nguyên có 4 chữ số)." and p.hint_vi
    bare = Problem.keyed("f.csv", None, None, "summary_row", "data_check.summary_row", severity="warning", cell="x")
    assert bare.hint_en == bare.hint_vi == "" and bare.severity == "warning"


def test_statistics_keep_codes_and_numbers_and_their_texts_come_from_the_locales():
    note = Note("gap_years", {"n_gaps": 1, "first": 2019, "last": 2022})
    assert note.text == note_text(note.code, note.detail, "en") == "1 year is missing between 2019 and 2022"
    assert note.text_in("vi") == "thiếu số liệu 1 năm trong khoảng 2019–2022"
    st = cannot_test("friedman", "Friedman test", "too_few_units", n_units=1, min_units=3)
    assert st.reason == reason_text("too_few_units", st.reason_detail, "en") == (
        "only 1 unit has data; at least 3 are needed")
    assert Note("a_code_without_text").text == "a_code_without_text"
