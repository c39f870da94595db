"""Normalisation of extracted page text into clean blocks.

The output text holds one block per paragraph, heading, list item or table row, with blocks
separated by a blank line. List items start with ``"• "``; table rows keep their cells
separated by tabs. Page furniture (page numbers, running headers and footers, letterhead lines
at a page's edge from ``furniture.json``) is dropped, line wraps and hyphenation are repaired,
paragraph numbers glued to their text ("15.The") are cut loose, and sentences cut by a page
break or by a narrow table column are rejoined.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BULLET_CHARS = "•◼▪■●○◦◆◇►▶➢➤✓✔□❖·*"
BULLET_RE = re.compile(rf"^\s*(?:[{re.escape(BULLET_CHARS)}\uf000-\uf0ff\ufffd]|[-–—](?=\s))\s*")
NEW_BLOCK_RE = re.compile(r"^\s*(?:\d{1,3}\.\s+\S|R\d{1,2}\b|\(?[a-z]\)\s|\d{1,2}\)\s)")
BULLETED_NUMBER_RE = re.compile(r"^\d{1,3}(?:\.\d{1,2})*\.?\s+(?=[A-Z])")
GLUED_NUMBER_RE = re.compile(r"^(\d{1,3}\.)(?=[A-Z][a-z])")
BRACKET_AFTER_END_RE = re.compile(r"[.!?]\s*\([^()]{1,80}\)$")  # "neglect. (outcome 3, national framework)"
GRADE = r"(?:outstanding|good|requires improvement(?: to be good)?|inadequate)"
GLUED_HEADING_RE = re.compile(rf"(?<=[.)])\s+([A-Z][^.:]{{5,150}}:\s*{GRADE})$")
PAGE_NUMBER_RE = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
SENTENCE_END = (".", "?", "!", ".”", ".\"", ".’")
TERMINAL = (*SENTENCE_END, ":", ";")
SHORT_LINE_SHARE = 0.72
MAX_HEADING_LINE_WORDS = 14  # "What needs to improve in this area of social work practice"
FOOTNOTE_LINE_RE = re.compile(r"^\d{1,2}\s+[A-Z][a-z]+\s+\w")  # "1 The areas…", not "3. The…"
FOOTNOTE_TAIL_LINES = 4
NAME_WORD_RE = re.compile(r"(?:[A-Z(][\w&'’().,-]*|and|of|the|for|upon|on|in|&)")
MAX_NAME_WORDS = 8
MAX_CELLS_BETWEEN = 4  # cells of a neighbouring table column between a sentence and its rest
GRADE_ONLY_RE = re.compile(rf"{GRADE}\.?", re.I)
EDGE_LINE_RE = re.compile(
    "|".join(f"(?:{p})" for p in json.loads(
        (Path(__file__).with_name("furniture.json")).read_text(encoding="utf-8"))["edge_lines"]),
    re.I)


@dataclass
class NormalisedText:
    """Normalised document text with the offset at which each page starts."""

    text: str
    page_starts: list[int] = field(default_factory=lambda: [0])


def clean_chars(text: str) -> str:
    """Repair characters: pdfium hyphen markers, ligatures, odd spaces and controls."""
    text = text.replace("\ufffe", "-").replace("\u00ad", "").replace("\u00a0", " ")
    text = unicodedata.normalize("NFKC", text).replace("\r", "")
    return re.sub(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u200b]", "", text)


def furniture_key(line: str) -> str:
    """A key under which running headers and footers of different pages coincide."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def find_furniture(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Return keys of lines that recur at the top or bottom of many pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        nonblank = [ln for ln in lines if ln.strip()]
        counts.update({furniture_key(ln) for ln in nonblank[:edge] + nonblank[-edge:]})
    threshold = max(3, int(0.4 * len(pages)))
    return {key for key, n in counts.items() if n >= threshold and key.strip("# ")}


def strip_furniture(lines: list[str], furniture: set[str]) -> list[str]:
    """Drop page numbers, recurring headers/footers and letterhead lines at either end of a page."""
    lines = list(lines)
    for end in (0, -1):
        while lines:
            candidate = lines[end]
            if not candidate.strip() or PAGE_NUMBER_RE.match(candidate) or (
                furniture_key(candidate) in furniture) or EDGE_LINE_RE.fullmatch(candidate.strip()):
                lines.pop(end)
            else:
                break
    return lines


def split_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Separate footnotes from the body of a page.

    A footnote follows a blank line near the page foot or, with no blank line, is a numbered
    note among the last lines that ends the page with a full stop ("1 The areas for improvement
    have been cross-referenced…").
    """
    for i in range(len(lines) - 1, max(0, int(len(lines) * 0.5)) - 1, -1):
        if not lines[i].strip() and i + 1 < len(lines) and re.match(r"^\d{1,2}(\s|$)", lines[i + 1]):
            return lines[:i], lines[i + 1 :]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if filled and lines[filled[-1]].rstrip().endswith(SENTENCE_END):
        for i in filled[-FOOTNOTE_TAIL_LINES:]:
            if i > filled[0] and FOOTNOTE_LINE_RE.match(lines[i]):
                return lines[:i], lines[i:]
    return lines, []


def typical_width(lines: list[str]) -> int:
    """The length of a full line on this page (a high percentile of line lengths)."""
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    return widths[int(len(widths) * 0.8)] if widths else 0


def join_line(block: str, line: str) -> str:
    """Append a wrapped line to a block, repairing end-of-line hyphenation."""
    if not block:
        return line
    if re.search(r"[A-Za-z0-9]-$", block) and line[:1].islower():
        return block + line
    return f"{block} {line}"


def lines_to_blocks(lines: list[str]) -> list[str]:
    """Group the wrapped lines of one page into blocks."""
    width = typical_width(lines)
    blocks: list[str] = []
    current = ""
    for raw in lines:
        line = GLUED_NUMBER_RE.sub(r"\1 ", raw.strip())
        if not line:
            if current:
                blocks.append(current)
            current = ""
            continue
        bullet = BULLET_RE.match(line)
        if bullet or NEW_BLOCK_RE.match(line):
            if current:
                blocks.append(current)
            current = "• " + line[bullet.end() :] if bullet else line
        elif current.endswith(SENTENCE_END) and heading_like(line, width):  # "... Recommendations"
            blocks.append(current)
            current = line
        else:
            current = join_line(current, line)
        short = len(line) < SHORT_LINE_SHARE * width and not re.search(r"[A-Za-z0-9]-$", line)
        hard_end = (line.endswith(TERMINAL) or BRACKET_AFTER_END_RE.search(line)) and not raw.endswith(" ")
        if short or hard_end:
            blocks.append(current)
            current = ""
    if current:
        blocks.append(current)
    blocks = rejoin_wrapped([" ".join(b.split()) for b in blocks if b.strip()])
    return [part for b in blocks for part in split_glued_heading(b)]


def name_like(block: str) -> bool:
    """A few capitalised words, as in a table cell naming bodies ("Halton Borough Council and")."""
    words = block.split()
    return (0 < len(words) <= MAX_NAME_WORDS and words[0][:1].isupper()
            and all(NAME_WORD_RE.fullmatch(w) for w in words))


def carries_on(block: str) -> bool:
    """Whether a block reads as the rest of an open sentence (lowercase start, not a grade)."""
    return (block[:1].islower() and not NEW_BLOCK_RE.match(block)
            and not GRADE_ONLY_RE.fullmatch(block))


def rejoin_wrapped(blocks: list[str]) -> list[str]:
    """Rejoin sentences a narrow table column cut into short lines.

    A block left open (no closing punctuation) takes the next block that carries on its
    sentence, reaching over up to :data:`MAX_CELLS_BETWEEN` name-like cells of the
    neighbouring column ("Responsible body"), which stay where they are.
    """
    out = list(blocks)
    i = 0
    while i < len(out):
        if not out[i].endswith(TERMINAL) and not name_like(out[i]):
            j = i + 1
            while j < len(out) and j - i <= MAX_CELLS_BETWEEN and name_like(out[j]):
                j += 1
            if j < len(out) and carries_on(out[j]):
                out[i] = join_line(out[i], out.pop(j))
                continue
        i += 1
    return out


def heading_like(line: str, width: int) -> bool:
    """A short capitalised line of a few words with no closing punctuation: a heading's form."""
    return (len(line) < SHORT_LINE_SHARE * width and line[:1].isupper()
            and len(line.split()) <= MAX_HEADING_LINE_WORDS and not line.endswith((*TERMINAL, ",")))


def split_glued_heading(block: str) -> list[str]:
    """Split off a graded heading ("The experiences of children in care: good") glued to a block."""
    match = GLUED_HEADING_RE.search(block)
    return [block[: match.start()], match.group(1)] if match else [block]


def continues(previous: str, following: str) -> bool:
    """Whether ``following`` carries on the sentence that ``previous`` leaves open."""
    if not previous or not following or previous.endswith(TERMINAL):
        return False
    if BULLET_RE.match(following) or NEW_BLOCK_RE.match(following):
        return False
    return following[:1].islower() or following[:1] in "(,"


def continuation_index(previous: str, blocks: list[str]) -> int | None:
    """Where among a page's first blocks the sentence ``previous`` leaves open carries on.

    Name-like cells of a neighbouring table column may come first; ``None`` when nothing
    carries the sentence on.
    """
    if name_like(previous):
        return None
    for i, block in enumerate(blocks[: MAX_CELLS_BETWEEN + 1]):
        if continues(previous, block):
            return i
        if not name_like(block):
            return None
    return None


def normalise_pdf_pages(pages: list[str]) -> NormalisedText:
    """Normalise the page texts of a PDF into blocks, keeping page offsets."""
    page_lines = [clean_chars(p).split("\n") for p in pages]
    furniture = find_furniture(page_lines)
    blocks: list[str] = []
    block_pages: list[int] = []
    pending_notes: list[str] = []
    for page_no, lines in enumerate(page_lines):
        body, notes = split_footnotes(strip_furniture(lines, furniture))
        page_blocks = lines_to_blocks(body)
        if blocks and (rest := continuation_index(blocks[-1], page_blocks)) is not None:
            blocks[-1] = join_line(blocks[-1], page_blocks.pop(rest))
        if pending_notes:
            blocks.extend(pending_notes)
            block_pages.extend([page_no - 1] * len(pending_notes))
        pending_notes = lines_to_blocks(notes)
        blocks.extend(page_blocks)
        block_pages.extend([page_no] * len(page_blocks))
    blocks.extend(pending_notes)
    block_pages.extend([len(page_lines) - 1] * len(pending_notes))
    return assemble(blocks, block_pages, len(page_lines))


def assemble(blocks: list[str], block_pages: list[int], n_pages: int) -> NormalisedText:
    """Join blocks into one text and record where each page starts."""
    parts: list[str] = []
    page_starts = [0] * max(1, n_pages)
    seen = -1
    offset = 0
    for block, page in zip(blocks, block_pages, strict=True):
        while seen < page:
            seen += 1
            page_starts[seen] = offset
        parts.append(block)
        offset += len(block) + 2
    for rest in range(seen + 1, len(page_starts)):
        page_starts[rest] = offset
    return NormalisedText("\n\n".join(parts), page_starts)


def normalise_plain_text(text: str) -> NormalisedText:
    """Normalise a plain-text or Markdown document: one block per logical line."""
    blocks: list[str] = []
    previous_blank = True
    for raw in clean_chars(text).split("\n"):
        line = re.sub(r"\*\*|__|^#+\s*", "", raw).rstrip()
        if not line.strip():
            previous_blank = True
            continue
        cells = [" ".join(c.split()) for c in line.split("\t")]
        filled = [c for c in cells if c]
        is_row = len(filled) > 1 or (len(filled) == 1 and not cells[0])  # "\t\tcell" is a row too
        stripped = " ".join(line.split())
        bullet = BULLET_RE.match(stripped)
        if bullet:  # "- 27 Text" is a converter's rendering of paragraph 27, not a list item
            rest = stripped[bullet.end() :]
            stripped = rest if BULLETED_NUMBER_RE.match(rest) else "• " + rest
        if is_row:
            blocks.append("\t".join(cells).rstrip("\t"))  # leading empty cells keep columns
        elif blocks and not previous_blank and not bullet and continues(blocks[-1], stripped):
            blocks[-1] = join_line(blocks[-1], stripped)
        else:
            blocks.append(stripped)
        previous_blank = False
    return assemble(blocks, [0] * len(blocks), 1)


def normalise(pages: list[str], suffix: str) -> NormalisedText:
    """Normalise extracted pages; ``suffix`` is the source file's extension."""
    if suffix.lower() == ".pdf":
        return normalise_pdf_pages(pages)
    return normalise_plain_text("\n\n".join(pages))
