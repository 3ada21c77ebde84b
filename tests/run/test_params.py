"""Parameter resolution: defaults.yaml → year file → province overrides → command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, strategies as st

from parbrief.config import ConfigError
from parbrief.errors import ParamsError
from parbrief.run.params import load_params_file, resolve_run, slugify

PROVINCES = ["Tỉnh Quảng Trị", "Tỉnh Quảng Bình", "Thành phố Cần Thơ"]
SCHEMES = ["provincial", "national", "police_2025"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _resolve(tmp_path: Path, defaults: str = "", year_file: str = "", cli=None, **kw):
    d = _write(tmp_path / "defaults.yaml", defaults) if defaults else None
    y = _write(tmp_path / "2024.yaml", year_file) if year_file else None
    return resolve_run(
        available_provinces=kw.pop("available_provinces", PROVINCES),
        available_years=kw.pop("available_years", [2019, 2020, 2021, 2022, 2023, 2024]),
        data="scores.parquet", survey="", spec="index.yaml", band_schemes=SCHEMES,
        defaults_file=d, params_file=y, cli=cli, **kw,
    )


def test_resolution_order_defaults_then_year_then_province_then_cli(tmp_path):
    cfg = _resolve(
        tmp_path,
        defaults="lang: vi\nalpha: 0.05\nmin_years: 5\nadjust: holm\n",
        year_file=(
            "year: 2023\nalpha: 0.01\nprovinces:\n"
            "  Tỉnh Quảng Trị: {min_years: 3, lang: en, band_scheme: police_2025}\n"
        ),
        cli={"lang": "vi", "alpha": None},
    )
    assert cfg.year == 2023  # from the year file: no --year given
    by = {b.province: b for b in cfg.briefs}
    qt, ct = by["Tỉnh Quảng Trị"], by["Thành phố Cần Thơ"]
    assert (qt.alpha, qt.min_years, qt.band_scheme) == (0.01, 3, "police_2025")  # province override
    assert qt.lang == "vi"  # the command line wins over the province override
    assert (ct.alpha, ct.min_years, ct.band_scheme, ct.lang) == (0.01, 5, "provincial", "vi")


def test_year_defaults_to_latest_and_provinces_to_all_sorted(tmp_path):
    cfg = _resolve(tmp_path)
    assert cfg.year == 2024
    assert [b.province for b in cfg.briefs] == sorted(PROVINCES)


def test_cli_year_beats_year_file(tmp_path):
    assert _resolve(tmp_path, year_file="year: 2023\n", year=2022).year == 2022


def test_unknown_year_lists_the_years_available(tmp_path):
    with pytest.raises(ParamsError, match=r"year 2018 is not in the data; years available: 2019, 2020, 2021, 2022, 2023, 2024"):
        _resolve(tmp_path, year=2018)


def test_unknown_province_lists_the_provinces(tmp_path):
    with pytest.raises(ParamsError) as err:
        _resolve(tmp_path, provinces=["Tỉnh Hà Giang"])
    assert "Tỉnh Hà Giang" in str(err.value)
    assert "provinces available: Thành phố Cần Thơ, Tỉnh Quảng Bình, Tỉnh Quảng Trị" in str(err.value)


def test_province_matched_after_name_normalization(tmp_path):
    # NFD input and the other tone-mark placement still find the province.
    import unicodedata

    cfg = _resolve(tmp_path, provinces=[unicodedata.normalize("NFD", "Tỉnh Quảng Trị")])
    assert [b.province for b in cfg.briefs] == ["Tỉnh Quảng Trị"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("alpah: 0.05\n", "unknown parameter alpah; allowed: adjust, aliases, alpha,"),
        ("alpha: '0.05'\n", "alpha must be"),
        ("alpha: 0.9\n", "alpha must be between 0 and 0.5"),
        ("lang: fr\n", "lang must be 'vi' or 'en'"),
        ("min_years: 2\n", "min_years must be at least 3"),
        ("min_years: 1e20\n", "min_years must be at least 3 (a trend needs 3 points), a whole number"),
        ("min_years: 7\n", "min_years 7 is more than the 6 years the data hold"),
        ("year: true\n", "year must be a year written as a whole number, e.g. 2024, got True"),
        ("year: 2024.7\n", "year must be a year written as a whole number, e.g. 2024, got 2024.7"),
        ("year: Năm 2024\n", "got 'Năm 2024'"),
        ("year: [2024]\n", "got [2024]"),
        ("crosswalks: []\n", "crosswalks are not used by `parbrief render`"),
        ("band_scheme: nope\n", "band_scheme 'nope' is not a band scheme of the spec"),
        ("provinces:\n  Tỉnh Quảng Trị: {colour: red}\n", "provinces.Tỉnh Quảng Trị: unknown parameter colour"),
        ("provinces:\n  Tỉnh Không Có: {lang: en}\n", "are not in the data"),
        ("- a\n- b\n", "expected a mapping"),
    ],
)
def test_bad_params_files_are_refused_before_any_run(tmp_path, text, message):
    with pytest.raises(ParamsError) as err:
        _resolve(tmp_path, year_file=text)
    assert message in str(err.value)
    assert "2024.yaml" in str(err.value)
    if isinstance(err.value, ConfigError):  # (an unreadable file is the files layer's English message)
        assert "2024.yaml" in err.value.message("vi")  # the Vietnamese message names the file too


def test_missing_params_file(tmp_path):
    with pytest.raises(ParamsError, match="params file not found"):
        load_params_file(tmp_path / "nope.yaml")


def test_repository_params_files_are_valid():
    root = Path(__file__).resolve().parents[2] / "params"
    for name in ("defaults.yaml", "2024.yaml"):
        load_params_file(root / name)


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Thành phố Hồ Chí Minh", "thanh-pho-ho-chi-minh"),
        ("Tỉnh Đắk Lắk", "tinh-dak-lak"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "tinh-ba-ria-vung-tau"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_slugify_known_names(name, slug):
    assert slugify(name) == slug


@given(st.text(max_size=400))
@example("INDEX")  # a reserved name: its hashed slug taken too must still give another one
def test_slugify_is_always_a_safe_file_name(name):
    slug = slugify(name)
    assert slug and len(slug) <= 70
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not slug.startswith("-") and slug not in {"index", "manifest", "failed", "overview"}
    assert slugify(name, taken=[slug]) != slug
