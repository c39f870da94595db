"""The spaCy pipeline that segments inspection reports into labelled findings.

Importing this package registers the custom attributes and component factories, so a saved
pipeline loads with :func:`spacy.load`.
"""

from nlp.extensions import register_extensions

register_extensions()
