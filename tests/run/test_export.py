"""HTML export of a brief (parbrief.run.export): no code, no network, escaped title, atomic write."""

from __future__ import annotations

import base64
import errno
import os
import re

import matplotlib
import nbformat
import pytest
from matplotlib.figure import Figure as MplFigure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from parbrief.report.figures import Figure, brief_theme, to_png_bytes
from parbrief.run import export as E

HOSTILE_TITLE = "<script>alert(1)</script> — 2024"


def _png(text: str = "Quảng Bình") -> bytes:
    with matplotlib.rc_context(brief_theme()):
        fig = MplFigure(figsize=(3, 1))
        fig.text(0.05, 0.4, text)
    return to_png_bytes(fig)


def _notebook(n_images: int = 1) -> nbformat.NotebookNode:
    png_b64 = base64.b64encode(_png()).decode("ascii")
    nb = new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells.append(new_markdown_cell("# Quảng Bình — 2024\n\n## Tổng quan\n\nĐiểm Chỉ số CCHC: **84,13**."))
    nb.cells.append(new_code_cell(
        "SECRET_SOURCE = compute()  # never in the brief",
        execution_count=3,
        outputs=[
            new_output("display_data", data={"text/html": "<p class='lead'>Bảng xếp hạng các đơn vị</p>",
                                             "text/plain": "PLAIN_FALLBACK"}),
            new_output("stream", name="stdout", text="xin chào\n"),
            new_output("stream", name="stderr", text="UserWarning: STDERR_MARK\n"),
            new_output("error", ename="ValueError", evalue="ERROR_MARK",
                       traceback=["Traceback (most recent call last)", "TRACEBACK_MARK", "ValueError: ERROR_MARK"]),
            new_output("execute_result", execution_count=3, data={"text/plain": "42"}),
        ],
    ))
    for i in range(n_images):
        nb.cells.append(new_markdown_cell(f"## Phần {i}"))
        nb.cells.append(new_code_cell(
            f"show(fig_{i})",
            execution_count=4 + i,
            outputs=[new_output("display_data", data={"image/png": png_b64, "text/plain": "<Figure>"},
                                metadata={"image/png": {"alt": f"Biểu đồ {i}"}})],
        ))
    nb.cells.append(new_code_cell("hidden()", outputs=[new_output("stream", name="stdout", text="HIDDEN_MARK")],
                                  metadata={"tags": ["remove-cell"]}))
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefs") / "2024" / "quang-binh.html"
    path = E.export_html(_notebook(), out, lang="vi", title=HOSTILE_TITLE)
    return path, path.read_text(encoding="utf-8")


def test_returns_the_path_and_writes_only_that_file(exported):
    path, _ = exported
    assert path.name == "quang-binh.html" and path.is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == ["quang-binh.html"]  # no temp file left


def test_no_code_no_prompts(exported):
    _, page = exported
    assert "SECRET_SOURCE" not in page and "show(fig_" not in page and "hidden()" not in page
    assert "In [" not in page and "In&nbsp;[" not in page and "Out[" not in page


def test_no_network_url_anywhere(exported):
    path, page = exported
    raw = path.read_bytes().lower()
    assert b"http://" not in raw and b"https://" not in raw and b"//cdn" not in raw
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert "mathjax" not in page.lower() and "require.js" not in page.lower()


def test_lang_and_escaped_title(exported):
    _, page = exported
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; — 2024</title>" in page


def test_outputs_kept_and_noise_dropped(exported):
    _, page = exported
    assert "<h1>Quảng Bình — 2024</h1>" in page and "<h2>Tổng quan</h2>" in page
    assert "<strong>84,13</strong>" in page
    assert "<p class='lead'>Bảng xếp hạng các đơn vị</p>" in page and "PLAIN_FALLBACK" not in page
    assert '<pre class="pb-text">xin chào\n</pre>' in page and '<pre class="pb-text">42</pre>' in page
    for mark in ("STDERR_MARK", "UserWarning", "TRACEBACK_MARK", "ERROR_MARK", "Traceback", "HIDDEN_MARK"):
        assert mark not in page, mark
    assert "¶" not in page  # no heading anchor links


def test_image_is_an_inline_data_uri_with_alt(exported):
    _, page = exported
    imgs = re.findall(r"<img [^>]*>", page)
    assert len(imgs) == 1
    assert 'alt="Biểu đồ 0"' in imgs[0]
    b64 = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', imgs[0]).group(1)
    assert base64.b64decode(b64) == _png()


def test_figure_display_output_keeps_escaped_alt(tmp_path):
    mpl = MplFigure(figsize=(2, 1))
    fig = Figure(mpl, alt='Đơn vị "><img src=x onerror=alert(1)> cao nhất')
    nb = new_notebook()
    data, metadata = fig._repr_mimebundle_()  # a native image output, alt text in its metadata
    nb.cells.append(new_code_cell("show(f)", outputs=[new_output("display_data", data=data, metadata=metadata)]))
    page = E.export_html(nb, tmp_path / "b.html", lang="en", title="A — 2024").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert 'alt="Đơn vị &quot;&gt;&lt;img src=x onerror=alert(1)&gt; cao nhất"' in page
    assert "<img src=x" not in page
    assert page.count('src="data:image/png;base64,') == 1


def test_export_from_a_notebook_file(tmp_path):
    src = tmp_path / "executed.ipynb"
    nbformat.write(_notebook(), src)
    page = E.export_html(src, tmp_path / "out.html", lang="en", title="Đắk Lắk — 2023").read_text(encoding="utf-8")
    assert "<title>Đắk Lắk — 2023</title>" in page and "SECRET_SOURCE" not in page


def test_unknown_language_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        E.export_html(_notebook(), tmp_path / "x.html", lang="fr", title="t")
    assert not (tmp_path / "x.html").exists()


def test_css_is_printable_and_phone_readable(exported):
    _, page = exported
    css = page.split("<style", 1)[1].split("</style>", 1)[0]
    assert "max-width: 60rem" in css and "@page { size: A4" in css and "@media print" in css
    # print (issue #13): no forced page breaks (they left near-empty pages), rows never cut, headers repeat
    assert "break-before: page" not in css and "overflow-x: auto" in css
    assert "thead { display: table-header-group; }" in css and "tr, .pb-kpi" in css
    assert '"DejaVu Sans"' in css and "system-ui" in css


# ---- atomic write ------------------------------------------------------------------------------


def test_failed_write_leaves_old_brief_intact(tmp_path, monkeypatch):
    out = tmp_path / "brief.html"
    out.write_text("OLD BRIEF", encoding="utf-8")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(E.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        E.export_html(_notebook(), out, lang="vi", title="t")
    assert out.read_text(encoding="utf-8") == "OLD BRIEF"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_failed_render_leaves_old_brief_intact(tmp_path, monkeypatch):
    out = tmp_path / "brief.html"
    out.write_text("OLD BRIEF", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(E, "render_html", broken)
    with pytest.raises(RuntimeError, match="template exploded"):
        E.export_html(_notebook(), out, lang="vi", title="t")
    assert out.read_text(encoding="utf-8") == "OLD BRIEF"


def test_interrupted_replace_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "brief.html"
    out.write_bytes(b"OLD")

    def killed(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(E.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        E.write_atomic(out, b"NEW")
    assert out.read_bytes() == b"OLD" and [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_successful_write_replaces_and_keeps_permissions(tmp_path):
    out = tmp_path / "sub" / "brief.html"
    E.write_atomic(out, b"first")
    assert out.read_bytes() == b"first" and (out.stat().st_mode & 0o777) == 0o644
    os.chmod(out, 0o640)
    E.write_atomic(out, b"second")
    assert out.read_bytes() == b"second" and (out.stat().st_mode & 0o777) == 0o640


# ---- many images (speed is measured by bench/, never asserted) ----------------------------------


def test_export_of_eight_images_embeds_each(tmp_path):
    nb = _notebook(n_images=8)
    E.export_html(nb, tmp_path / "warm.html", lang="vi", title="t")  # template load (cached)
    page = E.export_html(nb, tmp_path / "b.html", lang="vi", title="t").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 8


def test_exporter_is_built_once_and_uses_the_parbrief_template():
    first = E.brief_exporter()
    assert E.brief_exporter() is first
    assert first.template_name == "parbrief" and first.exclude_input and first.exclude_output_prompt
    assert (E.template_dir() / "parbrief" / "conf.json").is_file()
