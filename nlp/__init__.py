"""The spaCy pipeline that segments inspection reports into labelled findings.

Importing the package loads nothing (the label vocabulary, :mod:`nlp.labels`, is read without
spaCy). Each module that reads the custom ``Doc`` and ``Span`` attributes imports
:mod:`nlp.extensions`, which registers them; the components' factories are spaCy entry points
(``pyproject.toml``), so a saved pipeline loads with :func:`spacy.load`.
"""
