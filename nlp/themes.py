"""The ``theme_tagger`` component: themes of each unit from a keyword lexicon.

The taxonomy and its keyword patterns live in ``patterns/themes.json`` (documented in
``docs/themes.md``); a unit gets every theme whose pattern it matches.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp.patterns import compile_search, default_patterns


def theme_names() -> tuple[str, ...]:
    """The themes of the packaged lexicon, in its order."""
    return tuple(default_patterns("themes"))


class ThemeTagger:
    """Set ``span._.themes`` on each unit from keyword patterns."""

    def __init__(self, name: str = "theme_tagger", themes: dict | None = None) -> None:
        """Compile the theme lexicon (the packaged one by default)."""
        self.name = name
        self.themes = themes or default_patterns("themes")
        self.regexes = compile_search(self.themes)

    def themes_of(self, text: str) -> list[str]:
        """The themes whose patterns occur in a text."""
        return [theme for theme, regex in self.regexes.items() if regex.search(text)]

    def __call__(self, doc: Doc) -> Doc:
        """Tag every unit of the document."""
        for unit in doc.spans.get("units", []):
            unit._.themes = self.themes_of(unit.text)
        return doc

    def to_disk(self, path: str | Path, exclude: tuple = ()) -> None:
        """Write the lexicon."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "themes.json").write_text(json.dumps(self.themes, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: tuple = ()) -> ThemeTagger:
        """Read the lexicon written by :meth:`to_disk`."""
        self.themes = json.loads((Path(path) / "themes.json").read_text(encoding="utf-8"))
        self.regexes = compile_search(self.themes)
        return self


@Language.factory("theme_tagger")
def make_theme_tagger(nlp: Language, name: str) -> ThemeTagger:
    """Create the theme tagger with the packaged lexicon."""
    return ThemeTagger(name)
