"""One configuration: the model of every run parameter, and everything checked against it.

The params files, the ``render`` options, the notebooks' parameters cells, ``BriefParams`` and
``build_brief`` must agree with :class:`parbrief.config.RunParameters`; every key is honoured or
refused; provinces are found by the names users write.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from parbrief import config
from parbrief.config import ConfigError, RunParameters, check_layer, default, fields_in, notebook_default
from parbrief.errors import ParamsError

ROOT = Path(__file__).resolve().parents[1]
LOCALES = Path(__file__).resolve().parents[1] / "lib" / "parbrief" / "text" / "locales"


# ------------------------------------------------------------------------------------------------
# the model


def test_model_defaults():
    p = RunParameters()
    assert (p.lang, p.alpha, p.min_years, p.adjust) == ("vi", 0.05, 5, "holm")
    assert (p.band_scheme, p.national_band_scheme) == ("", "")  # empty: the spec's own schemes
    assert (p.province, p.year, p.data, p.survey, p.spec) == (None, None, "", "", "")
    assert (p.out, p.workers, p.force, p.reuse, p.pdf, p.analysis, p.overview) == (
        "outputs", None, False, True, False, False, True)
    assert (p.aliases, p.province_aliases, p.provinces, p.links) == ({}, {}, {}, {})
    assert all(default(name) == getattr(p, name) for name in RunParameters.model_fields)
    # What a notebook opened by hand shows: the demo store's Quảng Trị, 2024.
    assert (notebook_default("province"), notebook_default("year"), notebook_default("data")) == (
        "Quảng Trị", 2024, "")


def test_every_parameter_has_a_scope_and_a_doc_in_both_languages():
    for name, info in RunParameters.model_fields.items():
        scopes = (info.json_schema_extra or {}).get("scopes")
        assert scopes and set(scopes) <= set(config.SCOPES), name
        assert info.description == config.doc(name, "en")
        for lang in ("vi", "en"):
            assert config.doc(name, lang).strip() and config.expected(name, lang).strip(), (name, lang)
    assert config.doc("alpha", "vi") != config.doc("alpha", "en")


def test_locale_topic_files_have_the_same_keys():
    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k for key, v in node.items() for k in keys(v, f"{prefix}.{key}" if prefix else key)}
        return {prefix}

    vi = keys(yaml.safe_load((LOCALES / "vi" / "config.yaml").read_text(encoding="utf-8")))
    en = keys(yaml.safe_load((LOCALES / "en" / "config.yaml").read_text(encoding="utf-8")))
    assert vi == en


@pytest.mark.parametrize("value", [True, 2024.7, 2024.0, "Năm 2024", "2024", [2024]])
def test_year_must_be_an_integer(value):
    with pytest.raises(ConfigError) as err:
        check_layer({"year": value}, "params/2024.yaml", config.FILE_KEYS)
    assert str(err.value).startswith("params/2024.yaml: year must be a year written as a whole number, e.g. 2024")
    assert err.value.message("vi").startswith("params/2024.yaml: giá trị ")
    assert err.value.message("vi").endswith("của year không hợp lệ; cần năm viết bằng số nguyên, ví dụ 2024")


@pytest.mark.parametrize(
    "key, bad, good",
    [
        ("alpha", [0.0, 0.5, 0.9, -0.01, "0.05", True], [0.001, 0.05, 0.49]),
        ("min_years", [2, 0, 1e20, 4.0, "4", False], [3, 4, 10]),
        ("workers", [0, -1, 1.5, "2"], [1, 2, 64]),
        ("lang", ["fr", "VI", 1], ["vi", "en"]),
        ("adjust", ["bonferroni", ""], ["holm", "bh"]),
        ("force", ["yes", 1], [True, False]),
    ],
)
def test_bounds(key, bad, good):
    for value in good:
        assert check_layer({key: value}, None, (key,)) == {key: value}
    for value in bad:
        with pytest.raises(ConfigError) as err:
            check_layer({key: value}, None, (key,))
        assert str(err.value).startswith(f"command line: {key} must be {config.expected(key)}")
        assert err.value.message("vi") == (f"dòng lệnh: giá trị {value!r} của {key} không hợp lệ; "
                                           f"cần {config.expected(key, 'vi')}")


def test_the_model_is_strict_and_refuses_unknown_names():
    with pytest.raises(ValidationError):
        RunParameters(alpah=0.05)
    with pytest.raises(ValidationError):
        RunParameters(year="2024")
    assert RunParameters(year=2024, alpha=0.01).alpha == 0.01


def test_unknown_keys_are_refused_with_the_allowed_ones_in_both_languages(tmp_path):
    from parbrief.run.params import load_params_file

    f = tmp_path / "2024.yaml"
    f.write_text("year: 2024\ncolour: red\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_params_file(f)
    allowed = ", ".join(sorted(config.FILE_KEYS))
    assert str(err.value) == f"{f}: unknown parameter colour; allowed: {allowed}"
    assert err.value.message("vi") == f"{f}: không có tham số colour; các tham số được dùng: {allowed}"
    f.write_text("provinces:\n  Quảng Trị: {year: 2023}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"provinces.Quảng Trị: unknown parameter year; allowed: adjust, alpha"):
        load_params_file(f)


def test_crosswalks_are_refused_with_the_reason(tmp_path):
    from parbrief.run.params import load_params_file

    f = tmp_path / "defaults.yaml"
    f.write_text("crosswalks:\n  - {old: A, new: B, effective: 2025-07-01, kind: district}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_params_file(f)
    assert "crosswalks are not used by `parbrief render`" in str(err.value)
    assert "không dùng mục crosswalks" in err.value.message("vi")


# ------------------------------------------------------------------------------------------------
# defined once: params files, notebooks, BriefParams, build_brief, CLI


def test_defaults_yaml_does_not_restate_a_default():
    raw = yaml.safe_load((ROOT / "params" / "defaults.yaml").read_text(encoding="utf-8")) or {}
    check_layer(raw, "params/defaults.yaml", config.FILE_KEYS)
    restated = {k: v for k, v in raw.items() if v == default(k)}
    assert not restated, f"params/defaults.yaml restates the model's defaults: {restated}"


def _parameters_cell(path: Path) -> dict[str, object]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{path.name}: expected one cell tagged 'parameters'"
    values = {}
    for node in ast.parse("".join(cells[0]["source"])).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, f"{path.name}: only 'name = literal' lines"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_parameters_cells_agree_with_the_model(path):
    cell = _parameters_cell(path)
    unknown = set(cell) - set(RunParameters.model_fields)
    assert not unknown, f"{path.name}: parameters not in parbrief.config.RunParameters: {sorted(unknown)}"
    for name, value in cell.items():
        assert value == notebook_default(name), f"{path.name}: {name} = {value!r}, the model says {notebook_default(name)!r}"
    scope = {"province_brief.ipynb": "brief", "overview.ipynb": "overview"}.get(path.name)
    if scope:
        assert tuple(cell) == fields_in(scope)


def test_brief_params_and_build_brief_take_the_model_defaults():
    from parbrief.analysis.brief import build_brief
    from parbrief.run.params import BriefParams

    fields = {f.name: f for f in dataclasses.fields(BriefParams)}
    assert tuple(fields) == fields_in("brief")
    for name, f in fields.items():
        if f.default is not dataclasses.MISSING:
            assert f.default == default(name), name
    sig = inspect.signature(build_brief).parameters
    for name in fields_in("tunable"):
        assert sig[name].default == default(name), name


def test_render_options_are_the_models_cli_parameters():
    from parbrief.cli import build_parser

    parser = build_parser()
    render = parser._subparsers._group_actions[0].choices["render"]  # noqa: SLF001 - argparse has no public API
    flags = {s for a in render._actions for s in a.option_strings if s not in ("-h", "--help")}  # noqa: SLF001
    assert flags == {config.flag(n) for n in fields_in("cli")} | {"--debug"}  # --debug: every command's, no parameter
    assert {"--year", "--province", "--lang", "--data", "--spec", "--params", "--workers", "--out", "--force",
            "--no-reuse", "--pdf", "--analysis"} <= flags  # the flags users know (public interface)
    args = parser.parse_args(["render"])  # nothing typed: nothing overrides the params files
    assert all(getattr(args, a.dest) in (None, False) for a in render._actions  # noqa: SLF001
               if a.dest not in ("help", "out"))
    assert args.out == Path("outputs")


def test_a_switch_that_turns_a_parameter_off_says_what_it_does():
    """``--no-reuse``/``--no-wait`` are described as what typing them does, not as the parameter
    they turn off (the help once read "--no-reuse: reuse warm kernels …")."""
    from parbrief.cli import build_parser

    render = build_parser()._subparsers._group_actions[0].choices["render"]  # noqa: SLF001
    helps = {s: a.help for a in render._actions for s in a.option_strings}  # noqa: SLF001
    assert helps["--no-reuse"].startswith("run each brief on a fresh kernel")
    assert helps["--no-wait"].startswith("refuse at once (exit code 1)")
    for name in ("reuse", "wait"):
        assert config.flag_doc(name, "vi").startswith(("chạy mỗi báo cáo", "từ chối ngay"))
        assert config.flag(name) == f"--no-{name}"
    assert config.flag_doc("alpha", "en") == config.doc("alpha", "en")  # other options: the parameter's doc


def test_every_render_flag_reaches_render(monkeypatch, tmp_path):
    from parbrief.cli import main
    from parbrief.run import batch

    seen = {}

    class Summary:
        out_dir, outcomes, exit_code = tmp_path, (), 0

        def lines(self, lang="en"):
            return []

    def fake_render(**kwargs):
        seen.update(kwargs)
        return Summary()

    monkeypatch.setattr(batch, "render", fake_render)
    code = main(["render", "--data", "s.duckdb", "--year", "2024", "--province", "Quảng Trị", "--province",
                 "Huế", "--lang", "en", "--alpha", "0.01", "--min-years", "5", "--adjust", "bh",
                 "--band-scheme", "police_2025", "--national-band-scheme", "national", "--spec", "i.yaml",
                 "--params", "p.yaml", "--out", "o", "--workers", "2", "--force", "--no-reuse", "--analysis"])
    assert code == 0
    assert seen["data"] == Path("s.duckdb") and seen["year"] == 2024 and seen["provinces"] == ["Quảng Trị", "Huế"]
    assert (seen["lang"], seen["spec_path"], seen["params_file"], seen["out"], seen["workers"]) == (
        "en", Path("i.yaml"), Path("p.yaml"), Path("o"), 2)
    assert (seen["force"], seen["reuse"], seen["analysis"]) == (True, False, True)
    assert seen["cli_overrides"] == {"alpha": 0.01, "min_years": 5, "adjust": "bh", "band_scheme": "police_2025",
                                     "national_band_scheme": "national"}


def test_workers_are_capped_at_the_cores_with_a_note(monkeypatch):
    from parbrief.run import batch

    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    notes: list[str] = []
    assert batch._workers(1000, notes.append) == 2  # noqa: SLF001
    assert notes == ["--workers 1000 is more than the 2 cores of this machine: using 2"]
    assert batch._workers(None, notes.append) == 2 and batch._workers(1, notes.append) == 1  # noqa: SLF001
    with pytest.raises(ConfigError, match="workers must be a whole number, at least 1"):
        batch._workers(0, notes.append)  # noqa: SLF001


# ------------------------------------------------------------------------------------------------
# every params key honoured: data, spec, aliases (inline and file), year, tunables


def _scores_csv(path: Path, province: str = "Quảng Trị", units=("Huyện A", "Huyện B", "Huyện C")) -> Path:
    from parbrief.spec import load_spec

    spec = load_spec()
    rng = np.random.default_rng(7)
    rows = []
    for unit in units:
        for year in range(2020, 2025):
            comps = {c.code: round(c.max_points * rng.uniform(0.7, 0.9), 2) for c in spec.components}
            rows.append({"province": province, "unit": unit, "unit_type": "district", "year": year,
                         "total": round(sum(comps.values()), 2), **comps})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _plan(tmp_path: Path, params: str, **kw):
    from parbrief.run.batch import _Phases, _plan

    f = tmp_path / "params" / "2024.yaml"
    f.parent.mkdir(exist_ok=True)
    f.write_text(params, encoding="utf-8")
    empty = tmp_path / "params" / "defaults.yaml"
    empty.write_text("", encoding="utf-8")
    args = dict(data=None, out=tmp_path / "out", year=None, provinces=None, lang=None, spec_path=None,
                params_file=f, defaults_file=empty, overview=True, notebook=None, cli_overrides=None,
                force=False, phase=_Phases())
    return _plan(**{**args, **kw})


def test_params_data_spec_and_inline_aliases_are_honoured(tmp_path):
    from parbrief.spec import default_spec_path

    (tmp_path / "data").mkdir()
    _scores_csv(tmp_path / "data" / "scores.csv")
    (tmp_path / "params" / "index.yaml").parent.mkdir(exist_ok=True)
    (tmp_path / "params" / "index.yaml").write_bytes(default_spec_path().read_bytes())
    plan = _plan(tmp_path, "year: 2023\ndata: ../data/scores.csv\nspec: index.yaml\nalpha: 0.01\n"
                           "aliases:\n  Quảng Trị: {Huyện A: Thị xã A}\n"
                           "provinces:\n  Tỉnh Quảng Trị: {min_years: 3}\n")
    assert plan.data == tmp_path / "params" / ".." / "data" / "scores.csv"
    assert plan.spec_file == tmp_path / "params" / "index.yaml"
    assert plan.config.year == 2023
    (brief,) = plan.briefs
    assert (brief.province, brief.alpha, brief.min_years) == ("Quảng Trị", 0.01, 3)
    assert brief.spec == str((tmp_path / "params" / "index.yaml").resolve())
    units = set(plan.snap.scores["unit"])
    assert "Thị xã A" in units and "Huyện A" not in units


def test_params_aliases_from_a_file_apply_to_a_store_and_change_the_snapshot(tmp_path):
    from parbrief.data.store import ingest_file

    store = tmp_path / "s.duckdb"
    ingest_file(_scores_csv(tmp_path / "scores.csv"), store)
    first = _plan(tmp_path, f"data: {store}\n")
    assert "Huyện A" in set(first.snap.scores["unit"])
    (tmp_path / "params" / "renames.yaml").write_text("aliases:\n  '*': {Huyện A: Thị xã A}\n", encoding="utf-8")
    second = _plan(tmp_path, f"data: {store}\naliases: renames.yaml\n")
    assert "Thị xã A" in set(second.snap.scores["unit"])
    assert not second.snap.reused and second.snap.sha256 != first.snap.sha256
    (tmp_path / "params" / "renames.yaml").write_text("aliases:\n  '*': {Huyện A: Huyện B}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="aliases make two rows of Quảng Trị, Huyện B"):
        _plan(tmp_path, f"data: {store}\naliases: renames.yaml\n")


def test_missing_data_is_refused_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"2024.yaml: data: file .*nope.csv not found"):
        _plan(tmp_path, "data: nope.csv\n")
    with pytest.raises(ConfigError, match="--data is required"):
        _plan(tmp_path, "year: 2024\n")


# ------------------------------------------------------------------------------------------------
# provinces by the names users write


@pytest.mark.parametrize(
    "written, short",
    [
        ("Tỉnh Quảng Trị", "Quảng Trị"),
        ("TP. Cần Thơ", "Cần Thơ"),
        ("Thành phố Cần Thơ", "Cần Thơ"),
        ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"),
        ("tỉnh  thanh hoá", "Thanh Hóa"),
    ],
)
def test_province_names_as_users_write_them(written, short):
    from parbrief.run.params import province_key

    assert province_key(written, 2024) == province_key(short, 2024)


def _resolve(tmp_path: Path, year_file: str, **kw):
    from parbrief.run.params import resolve_run

    f = tmp_path / "2024.yaml"
    f.write_text(year_file, encoding="utf-8")
    return resolve_run(available_provinces=["Quảng Trị", "Cần Thơ", "TP. Hồ Chí Minh", "Thanh Hóa"],
                       available_years=[2021, 2022, 2023, 2024], data="", survey="", spec="",
                       band_schemes=["provincial", "national"], params_file=f, **kw)


def test_province_overrides_and_selection_accept_official_names(tmp_path):
    cfg = _resolve(tmp_path, "provinces:\n  Tỉnh Quảng Trị: {lang: en}\n  TP. Cần Thơ: {alpha: 0.01}\n"
                             "  Thành phố Hồ Chí Minh: {min_years: 3}\n",
                   provinces=["Thành phố Cần Thơ", "Tỉnh Quảng Trị", "Thành phố Hồ Chí Minh", "Thanh Hóa"])
    by = {b.province: b for b in cfg.briefs}
    assert list(by) == ["Cần Thơ", "Quảng Trị", "TP. Hồ Chí Minh", "Thanh Hóa"]
    assert by["Quảng Trị"].lang == "en" and by["Cần Thơ"].alpha == 0.01 and by["TP. Hồ Chí Minh"].min_years == 3
    assert (by["Thanh Hóa"].lang, by["Thanh Hóa"].alpha, by["Thanh Hóa"].min_years) == ("vi", 0.05, 5)


def test_the_example_of_params_2024_works(tmp_path):
    text = (ROOT / "params" / "2024.yaml").read_text(encoding="utf-8")
    import re

    example = re.sub(r"(?m)^#(  )", r"\1", text.replace("provinces: {}\n", "provinces:\n"))
    assert example != text and "Tỉnh Quảng Trị" in example
    cfg = _resolve(tmp_path, example)
    assert {b.province: b.lang for b in cfg.briefs}["Quảng Trị"] == "en"


def test_a_province_not_in_the_data_is_refused_with_the_list(tmp_path):
    with pytest.raises(ParamsError) as err:
        _resolve(tmp_path, "provinces:\n  Tỉnh Hà Giang: {lang: en}\n")
    assert "provinces Tỉnh Hà Giang are not in the data; provinces available: Cần Thơ, Quảng Trị" in str(err.value)
    assert "các tỉnh Tỉnh Hà Giang không có trong dữ liệu" in err.value.message("vi")


def test_command_line_values_are_checked_before_the_data_are_read(tmp_path, capsys):
    from parbrief.cli import main

    missing = str(tmp_path / "missing.csv")
    out = ["--out", str(tmp_path / "outputs")]
    assert main(["render", "--data", missing, "--alpha", "0.7", "--lang", "en", *out]) == 2  # a usage error
    assert "command line: alpha must be between 0 and 0.5" in capsys.readouterr().err
    assert main(["render", "--data", missing, "--year", "1800", *out]) == 2  # a usage error
    assert "dòng lệnh: giá trị 1800 của year không hợp lệ" in capsys.readouterr().err
    assert main(["render", "--data", missing, "--workers", "0", *out]) == 2  # a usage error
    assert "workers" in capsys.readouterr().err
    assert not (tmp_path / "outputs").exists()


# ------------------------------------------------------------------------------------------------
# issue 14, defect 6: accepted when it should not be


@pytest.mark.parametrize("path, why", [
    ("/", "root"), ("/etc", "system"), ("/etc/parbrief", "system"), ("/usr/share/briefs", "system"),
    ("/bin", "system"), ("/var", "system"), ("/home", "system"), ("/opt", "system"),
    ("/var/www/briefs", None), ("/opt/parbrief/outputs", None), ("/home/ana/briefs", None), ("outputs", None),
])
def test_system_folders_are_told_apart(path, why):
    from parbrief.files import system_folder

    assert system_folder(path) == why


def test_the_home_folder_itself_is_a_system_folder_but_not_its_subfolders(tmp_path, monkeypatch):
    from parbrief.files import system_folder

    monkeypatch.setenv("HOME", str(tmp_path))
    assert system_folder(tmp_path) == "home" and system_folder(tmp_path / "outputs") is None
    assert system_folder(tmp_path / "link" / "..") == "home"  # judged where the files would land


def test_render_and_demo_refuse_a_system_folder_before_making_anything(tmp_path, monkeypatch, capsys):
    from parbrief.cli import main
    from parbrief.data.demo import write_demo
    from parbrief.run.batch import render
    from parbrief.run.lock import LOCK_NAME

    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ParamsError) as err:
        render(data=tmp_path / "none.duckdb", out=tmp_path)
    assert err.value.message("en") == (f"--out {tmp_path} is your home folder itself; parbrief does not write its files "
                                       "there. Give a folder of its own, e.g. --out outputs")
    assert err.value.exit_code == 2 and not (tmp_path / LOCK_NAME).exists()
    with pytest.raises(ParamsError, match="is the root of the file system"):
        write_demo(Path("/"))
    assert main(["render", "--out", "/", "--lang", "en", "--pdf"]) == 2
    assert capsys.readouterr().err.strip() == ("parbrief render: --out / is the root of the file system; parbrief does "
                                               "not write its files there. Give a folder of its own, e.g. --out outputs")


def test_a_province_without_scores_in_the_year_is_refused_before_any_notebook(small_store, tmp_path, monkeypatch):
    from parbrief.run import batch

    def no_notebook(*args, **kwargs):
        raise AssertionError("a notebook started")

    monkeypatch.setattr(batch, "_run_jobs", no_notebook)
    with pytest.raises(ConfigError) as err:
        batch.render(data=small_store, out=tmp_path / "out", year=2024, provinces=["Tỉnh Quảng Bình"], lang="en")
    assert str(err.value) == ("Quảng Bình has no scores for 2024 (its years: 2022, 2023); nothing was rendered. Choose "
                              "one of its years with --year, or leave out --province Quảng Bình")
    assert err.value.exit_code == 1
    assert "không có điểm năm 2024 (các năm có điểm: 2022, 2023)" in err.value.message("vi")
    assert not (tmp_path / "out" / "2024").exists()  # no snapshot, no manifest


def test_min_years_is_bounded_by_the_years_the_data_hold(small_store, tmp_path):
    from parbrief.run import batch

    with pytest.raises(ConfigError) as err:
        batch.render(data=small_store, out=tmp_path / "out", cli_overrides={"min_years": 4}, lang="en")
    assert str(err.value) == ("command line: min_years 4 is more than the 3 years the data hold (2022, 2023, 2024); "
                              "use at most 3")
