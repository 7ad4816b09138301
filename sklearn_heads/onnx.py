"""Serving fitted estimators with ONNX (the ``onnx`` extra: skl2onnx, onnxruntime).

:func:`to_onnx` converts a fitted estimator, or a pipeline ending in one.
:func:`register` registers the estimators' converters with skl2onnx, so
that :func:`skl2onnx.to_onnx` converts pipelines that contain them; it is
not done at ``import sklearn_heads``, because importing skl2onnx takes
seconds.
"""

from ._onnx import register, to_onnx

__all__ = ["register", "to_onnx"]
