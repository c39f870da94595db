"""Encoding: sentence-encoder backends, their ONNX export and quantisation, query batching.

The public face: :func:`load_encoder`, :func:`encode`, :func:`model_name`, :data:`DIMENSION`
(from :mod:`.encoder`) and :func:`embed_missing` (the build's embedding step, :mod:`.cache`).
"""

from findings.encoding.cache import embed_missing
from findings.encoding.encoder import BACKENDS, DIMENSION, encode, load_encoder, model_name, prepare_encoder

__all__ = ["BACKENDS", "DIMENSION", "embed_missing", "encode", "load_encoder", "model_name",
           "prepare_encoder"]
