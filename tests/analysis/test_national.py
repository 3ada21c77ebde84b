"""The nation's brief's numbers: national average, ends, regional means, ranks in a region."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from parbrief.analysis.brief import build_brief
from parbrief.analysis.overview import build_overview
from parbrief.data.regions import regions_table
from parbrief.data.validate import NATIONAL


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from parbrief.data.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo")).store


@pytest.fixture(scope="module")
def frames(demo):
    from parbrief.data.snapshot import load_frames
    from parbrief.spec import load_spec

    return load_frames(demo, None, load_spec(None))


@pytest.mark.parametrize("year", [2024, 2025])
def test_regional_means_match_pandas(demo, frames, year):
    brief = build_brief(province="Việt Nam", year=year, data=demo, frames=frames)
    scores = frames[0]
    nat = scores[(scores["province"] == NATIONAL) & (scores["year"] == year)]
    regions = regions_table()
    regions = regions[regions["map"] == (34 if year >= 2025 else 63)]
    merged = nat.merge(regions, left_on="unit", right_on="province", how="inner")
    assert len(merged) == len(nat)  # every province of the demo has a region
    expected = merged.groupby("region")["total"].agg(["mean", "size", "max", "min"])
    got = brief.regions.set_index("region")
    assert set(got.index) == set(expected.index) and len(got) == 6
    for code, row in expected.iterrows():
        assert math.isclose(got.at[code, "mean"], row["mean"], rel_tol=1e-12)
        assert got.at[code, "n"] == row["size"]
        assert got.at[code, "best_value"] == row["max"] and got.at[code, "lowest_value"] == row["min"]
    if year == 2025:  # a region of 34 provinces is not the region of 63: no change
        assert got["change"].isna().all()
    else:
        before = scores[(scores["province"] == NATIONAL) & (scores["year"] == year - 1)].merge(
            regions, left_on="unit", right_on="province").groupby("region")["total"].mean()
        for code in expected.index:
            assert math.isclose(got.at[code, "change"], expected.at[code, "mean"] - before[code], abs_tol=1e-9)


@pytest.mark.parametrize("year", [2024, 2025])
def test_national_headline_agrees_with_the_overview_and_provinces(demo, frames, year):
    brief = build_brief(province="Vietnam", year=year, data=demo, frames=frames)
    assert brief.national and brief.province == NATIONAL and list(brief.league) == ["province"]
    ov = build_overview(year=year, data=demo, frames=frames)
    assert brief.headline.rank is None and brief.headline.source == "nation"
    assert math.isclose(brief.headline.score, ov.table["value"].mean(), abs_tol=0.006)
    top = ov.table.sort_values("rank").iloc[0]["unit"]
    bottom = ov.table.sort_values("rank").iloc[-1]["unit"]
    assert brief.ends.best[0] == top and brief.ends.lowest[-1] == bottom
    assert brief.ends.n == len(ov.table)
    # every province brief's "national average" is the nation's score
    province = next(p for p in frames[0]["province"].unique() if p != NATIONAL
                    and len(frames[0][(frames[0]["province"] == p) & (frames[0]["year"] == year)]))
    own = build_brief(province=province, year=year, data=demo, frames=frames)
    assert own.headline.national_mean == pytest.approx(brief.headline.score)
    # and its region's table holds its rank in the region
    if own.regions is not None:
        row = own.regions[own.regions["unit"] == province].iloc[0]
        assert int(row["region_rank"]) == own.headline.region_rank
    if year == 2025:
        assert brief.headline.change is None and brief.headline.no_change_reason == "new_map"
        assert brief.predecessor_history["unit"].nunique() == 63
    else:
        assert brief.headline.change == pytest.approx(ov.history.groupby("year")["total"].mean().diff().iloc[-1])


def test_region_ranks_match_pandas(demo, frames):
    brief = build_brief(province="Việt Nam", year=2024, data=demo, frames=frames)
    ranks = brief.region_ranks.set_index("unit")
    table = brief.league["province"].set_index("unit")
    for unit, row in ranks.iterrows():
        peers = ranks[ranks["region"] == row["region"]].index
        better = (table.loc[peers, "value"] > table.at[unit, "value"]).sum()
        assert row["region_rank"] == better + 1 and row["region_n"] == len(peers)


def test_national_names():
    from parbrief.data.names import is_national_name

    for name in ("Việt Nam", "Viet Nam", "Vietnam", "VIỆT NAM", "viet  nam", "Toàn quốc", "Cả nước"):
        assert is_national_name(name), name
    for name in ("Nam Định", "Việt Yên", "Hà Nam", "", None):
        assert not is_national_name(name), name


def test_region_ranks_count_the_peers_scoring_more(frames):
    # rank in the region = 1 + the provinces of the same region with a higher published score
    # (ties share the best rank), region_n = the region's provinces with a score; a name on
    # neither map and a province without a score get no rank
    from parbrief.analysis.national import region_ranks
    from parbrief.stats.trends import rank_table

    scores = frames[0]
    nat = scores[(scores["province"] == NATIONAL) & (scores["year"] == 2024)]
    table = rank_table(nat, 2024, decimals=2)
    table.loc[table.index[1], "value"] = table.loc[table.index[0], "value"]  # a tie
    table.loc[table.index[2], "value"] = math.nan
    table.loc[len(table)] = table.iloc[3]
    table.loc[len(table) - 1, "unit"] = "Tỉnh Không Có"
    got = region_ranks(table, 2024, 2).set_index("unit")
    values = dict(zip(table["unit"].astype(str), table["value"].astype(float)))
    for unit, row in got.iterrows():
        if pd.isna(row["region"]):
            assert unit == "Tỉnh Không Có" and pd.isna(row["region_rank"]) and pd.isna(row["region_n"])
            continue
        peers = [values[u] for u in got.index[got["region"] == row["region"]] if not math.isnan(values[u])]
        assert row["region_n"] == len(peers)
        v = values[unit]
        assert pd.isna(row["region_rank"]) if math.isnan(v) else row["region_rank"] == 1 + sum(p > v for p in peers)
    assert got["region_rank"].notna().sum() == len(table) - 2
