"""Corpus access: the manifest, text extraction and normalisation of report files."""
