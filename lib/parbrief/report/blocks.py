"""What a brief's notebook cell displays: headings and sentences, styled tables and figures, in order.

A section is a :class:`Section` of parts, each something Jupyter displays natively:

- text blocks (:class:`Heading`, :class:`Paragraph`, :class:`Bullets`, :class:`Cards`): Markdown
  for an analyst (``_repr_markdown_``) and the brief's HTML (``_repr_html_``, with the CSS classes
  of ``templates/parbrief/parbrief.css``); consecutive blocks are shown as one output,
  :class:`Prose`;
- tables: pandas ``Styler`` objects (:mod:`parbrief.report.tables`), numbers unrounded underneath;
- figures: :class:`parbrief.report.figures.Figure` (``image/png`` with alt text).

nbconvert (``display_priority``: HTML before Markdown) writes the HTML, so the leader's page is
the same HTML the hand-built blocks wrote. Every text is escaped for HTML and for Markdown here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Iterator, Union

from pandas.io.formats.style import Styler

from parbrief.report.figures import Figure

__all__ = ["Block", "Bullets", "Cards", "Heading", "MarkdownText", "Paragraph", "Prose", "Section", "esc", "md_escape"]


def esc(value: Any) -> str:
    """HTML-escape any value (names come from users' files and may contain markup)."""
    return html.escape("" if value is None else str(value), quote=True)


_MD_PUNCT = re.compile(r"([\\`*_\[\]<>#|~&$])")
_MD_LIST_START = re.compile(r"^(\s*)(?:([-=+])|(\d+)(?=[.)]))")


def md_escape(value: Any) -> str:
    """``value`` as literal Markdown text: punctuation with a Markdown meaning backslash-escaped.

    CommonMark lets any ASCII punctuation be escaped; the characters that start emphasis, code,
    links, HTML, entities, headings, quotes, tables or math (Jupyter's ``$``) are, and so is a
    start that would begin a list. Line breaks become spaces (a sentence is one paragraph).
    """
    text = " ".join(("" if value is None else str(value)).splitlines())
    text = _MD_PUNCT.sub(r"\\\1", text)
    # "- x", "+ x", "= x" (a list, a heading underline) and "1. x" / "1) x" (a numbered list)
    return _MD_LIST_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\"), text)


class Block:
    """A text block: its HTML (the brief) and Markdown (an analyst's notebook, a report)."""

    html: str
    markdown: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True, repr=False)
class Heading(Block):
    """``<h1>``–``<h4>`` / ``#``–``####``."""

    level: int
    text: str
    cls: str = ""  # e.g. ``pb-tech``: the analyst's details, left out of the printed brief

    @property
    def html(self) -> str:  # type: ignore[override]
        attr = f' class="{esc(self.cls)}"' if self.cls else ""
        return f"<h{self.level}{attr}>{esc(self.text)}</h{self.level}>"

    @property
    def markdown(self) -> str:  # type: ignore[override]
        return "#" * self.level + " " + md_escape(self.text)


#: How Markdown marks a paragraph, by its first class in the brief's stylesheet (others: plain).
_MD_STYLE = {"": "{}", "pb-muted": "*{}*", "pb-banner": "> **{}**", "pb-tech": "{}"}


@dataclass(frozen=True, repr=False)
class Paragraph(Block):
    """One sentence or paragraph; ``cls`` is ``pb-muted`` (a note) or ``pb-banner`` (a warning)."""

    text: str
    cls: str = ""

    @property
    def html(self) -> str:  # type: ignore[override]
        attr = f' class="{esc(self.cls)}"' if self.cls else ""
        return f"<p{attr}>{esc(self.text)}</p>"

    @property
    def markdown(self) -> str:  # type: ignore[override]
        first = self.cls.split()[0] if self.cls.strip() else ""
        return _MD_STYLE.get(first, "{}").format(md_escape(self.text))


@dataclass(frozen=True, repr=False)
class Bullets(Block):
    """A bulleted list (the key findings)."""

    items: tuple[str, ...]

    @property
    def html(self) -> str:  # type: ignore[override]
        return "<ul>" + "".join(f"<li>{esc(s)}</li>" for s in self.items) + "</ul>"

    @property
    def markdown(self) -> str:  # type: ignore[override]
        return "\n".join(f"- {md_escape(s)}" for s in self.items)

    @property
    def text(self) -> str:  # type: ignore[override]
        return "\n".join(f"- {s}" for s in self.items)


@dataclass(frozen=True, repr=False)
class Cards(Block):
    """The headline numbers as cards: (label, value) or (label, value, note) items, one card each.

    The note (the rank change under the rank, the gap under the national average) is a small
    line under the value (``pb-kpi-note``, styled like the label). A value longer than
    :data:`WORDS_CHARS` characters (words, not a number: "Mới sắp xếp, không so sánh") is set
    smaller (``pb-kpi-words``), so its card is no taller than the others on the first screen."""

    items: tuple[tuple[str, ...], ...]

    #: Longest value shown in the cards' large type ("−10,25 điểm", "Nhóm B", "59/63").
    WORDS_CHARS = 12

    @staticmethod
    def _parts(item: tuple[str, ...]) -> tuple[str, str, str]:
        label, value, *rest = item
        return label, value, (rest[0] if rest else "")

    @property
    def html(self) -> str:  # type: ignore[override]
        cells = []
        for item in self.items:
            label, value, note = self._parts(item)
            extra = f'<span class="pb-kpi-label pb-kpi-note">{esc(note)}</span>' if note else ""
            kind = "pb-kpi-value pb-kpi-words" if len(value) > self.WORDS_CHARS else "pb-kpi-value"
            cells.append(f'<div class="pb-kpi"><span class="pb-kpi-label">{esc(label)}</span>'
                         f'<span class="{kind}">{esc(value)}</span>{extra}</div>')
        return f'<div class="pb-headline">{"".join(cells)}</div>'

    @property
    def markdown(self) -> str:  # type: ignore[override]
        lines = []
        for item in self.items:
            label, value, note = self._parts(item)
            lines.append(f"- {md_escape(label)}: **{md_escape(value)}**" + (f" ({md_escape(note)})" if note else ""))
        return "\n".join(lines)

    @property
    def text(self) -> str:  # type: ignore[override]
        out = []
        for item in self.items:
            label, value, note = self._parts(item)
            out.append(f"{label}: {value}" + (f" ({note})" if note else ""))
        return "\n".join(out)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


@dataclass(frozen=True, repr=False)
class MarkdownText(Block):
    """Markdown a person wrote (the preparing office's comments), shown as written.

    The HTML comes from mistune with raw HTML escaped (a comment cannot inject markup or
    script) and headings moved ``shift`` levels down, under the section's own heading.
    """

    text: str
    shift: int = 2

    @property
    def html(self) -> str:  # type: ignore[override]
        import mistune

        body = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])(self.text)
        body = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + self.shift)}", str(body))
        return f'<div class="pb-notes">{body}</div>'

    @property
    def markdown(self) -> str:  # type: ignore[override]
        return html.escape(self.text, quote=False)


@dataclass(frozen=True, repr=False)
class Prose(Block):
    """Consecutive text blocks shown as one output (one ``text/html``, one ``text/markdown``)."""

    blocks: tuple[Block, ...]

    @property
    def html(self) -> str:  # type: ignore[override]
        return "\n".join(b.html for b in self.blocks)

    @property
    def markdown(self) -> str:  # type: ignore[override]
        return "\n\n".join(b.markdown for b in self.blocks)

    @property
    def text(self) -> str:  # type: ignore[override]
        return "\n".join(b.text for b in self.blocks)


Part = Union[Block, Styler, Figure]


def _part_html(part: Part) -> str:
    if isinstance(part, Figure):
        return part.to_html()
    if isinstance(part, Styler):
        return part.to_html()
    return part.html


class Section:
    """One section of a page: text blocks, tables (``Styler``) and figures, in order.

    Displayed in a notebook, each table and each figure is its own output and the text between
    them one :class:`Prose` output: an analyst can take ``section.tables[0].data`` (the numbers)
    or ``section.figures[0].fig`` (the matplotlib figure) and change them. ``.html`` is the
    whole section as one HTML string (tests, other pages).
    """

    def __init__(self, *parts: Part | None) -> None:
        kept = tuple(p for p in parts if p is not None)
        for p in kept:
            if not isinstance(p, (Block, Styler, Figure)):
                raise TypeError(f"a section part is a text block, a Styler or a Figure, not {type(p).__name__}")
        self.parts: tuple[Part, ...] = kept

    @property
    def figures(self) -> list[Figure]:
        return [p for p in self.parts if isinstance(p, Figure)]

    @property
    def tables(self) -> list[Styler]:
        return [p for p in self.parts if isinstance(p, Styler)]

    @property
    def html(self) -> str:
        return "\n".join(_part_html(p) for p in self.parts)

    def outputs(self) -> Iterator[Part]:
        """What the notebook shows, one output each: consecutive text blocks joined into :class:`Prose`."""
        pending: list[Block] = []
        for part in self.parts:
            if isinstance(part, Block):
                pending.append(part)
                continue
            if pending:
                yield Prose(tuple(pending))
                pending = []
            yield part
        if pending:
            yield Prose(tuple(pending))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for output in self.outputs():
            if isinstance(output, Styler):
                # the Styler's own HTML; as plain text its table (not "<Styler at 0x…>", which
                # would differ between runs in the saved notebook)
                display({"text/html": output.to_html(), "text/plain": output.data.to_string(index=False)}, raw=True)
            else:
                display(output)

    def __str__(self) -> str:
        return self.html

