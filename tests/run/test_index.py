"""run.index: the index shows the headline each executed brief displayed, never a recomputed one."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from parbrief.analysis.headline import HEADLINE_MIME, Headline, headline_record
from parbrief.run.execute import BriefOutcome
from parbrief.run.index import read_headlines, render_index

HEAD = Headline(province="Tỉnh A", year=2024, score=81.25, band_label="Tốt", rank=2, n_ranked=5,
                change=1.5, rank_change=1, previous_year=2023, source="national", predecessors=("X", "Y"))


def test_headline_is_read_from_the_side_file_or_the_executed_notebook(tmp_path):
    (tmp_path / "a.headline.json").write_text(json.dumps(headline_record(HEAD)), encoding="utf-8")
    nb = new_notebook(cells=[new_code_cell("sections.headline_output(brief)", outputs=[
        new_output("display_data", data={HEADLINE_MIME: headline_record(HEAD), "text/plain": "headline"})])])
    nbformat.write(nb, tmp_path / "b.ipynb")
    found = read_headlines(tmp_path, ["a", "b", "missing"])
    assert found == {"a": HEAD, "b": HEAD}  # a brief without a headline is simply absent


def test_index_rows_use_the_briefs_numbers_by_slug():
    outcome = BriefOutcome(slug="a", title="Tỉnh A — 2024", status="ok", duration_s=1.0)
    page = render_index(year=2024, outcomes=[outcome], headlines={"a": HEAD}, lang="vi", synthetic=False)
    assert "81,25" in page and "2/5" in page and "+1,50" in page
