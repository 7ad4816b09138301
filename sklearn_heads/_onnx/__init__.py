"""Serving with ONNX: the optional backend's one seam (skl2onnx imported lazily).

``import sklearn_heads`` does not import skl2onnx (it takes seconds to
import); :func:`register` registers the converters with it, and
:func:`to_onnx` does so itself.
"""

#: How to install what ONNX export needs.
INSTALL_HINT = (
    'pip install ".[onnx]" from a checkout of sklearn-heads, or pip install '
    "skl2onnx onnxruntime"
)


def _import_skl2onnx():
    try:
        import skl2onnx  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"ONNX export needs skl2onnx, which is not installed ({exc}). "
            f"Install it with {INSTALL_HINT}."
        ) from exc


def register():
    """Register this package's estimators with skl2onnx.

    After it, :func:`skl2onnx.to_onnx` and :func:`skl2onnx.convert_sklearn`
    convert them, alone or as the last step of a
    :class:`~sklearn.pipeline.Pipeline`. :func:`~sklearn_heads.to_onnx` calls it itself;
    calling it again does no harm.

    Raises
    ------
    ImportError
        When skl2onnx is not installed (the message says how to install it).
    """
    _import_skl2onnx()
    from .. import LinearClassifier, LinearEstimator, MLPClassifier, MLPEstimator
    from ._convert import register as register_classes

    register_classes((LinearClassifier, LinearEstimator, MLPClassifier, MLPEstimator))


def to_onnx(estimator, X_sample, *, target_opset=None):
    """The ONNX model of a fitted estimator (or a pipeline ending in one).

    The graph computes what ``predict`` and ``predict_proba`` compute, in
    the floating type of ``X_sample`` (float32 or float64):

    * classifiers output ``label`` (the class ``predict`` returns, at the
      estimator's ``threshold``; the 0/1 indicator matrix for multi-label)
      and ``probabilities`` (``predict_proba``), as skl2onnx names a
      classifier's outputs with ``zipmap=False``;
    * regressors output ``variable`` (``predict``, after the head's inverse
      link), of shape ``(n, label_dimension)``.

    Parameters
    ----------
    estimator : object
        A fitted estimator of this package, or a
        :class:`~sklearn.pipeline.Pipeline` ending in one.
    X_sample : ndarray of shape (n_samples, n_features)
        Rows of the input: their dtype (float32 or float64) and width set
        the graph's input type. The values are not used.
    target_opset : int, default=None
        The ONNX opset; None is skl2onnx's newest tested one.

    Returns
    -------
    model : onnx.ModelProto
        Run it with :class:`onnxruntime.InferenceSession`; its input is
        named ``X``.

    Raises
    ------
    ImportError
        When skl2onnx is not installed (the message says how to install it).
    ValueError
        For a :class:`~sklearn_heads.RegressionHead` whose
        ``inverse_link_fn`` has no ONNX form (other than None,
        :data:`numpy.exp` and :func:`scipy.special.expit`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_heads import LinearClassifier, to_onnx
    >>> X = np.random.RandomState(0).normal(size=(50, 3)).astype(np.float32)
    >>> est = LinearClassifier(threshold=0.3).fit(X, X[:, 0] > 0)
    >>> onx = to_onnx(est, X[:1])  # doctest: +SKIP
    >>> import onnxruntime as rt  # doctest: +SKIP
    >>> label, proba = rt.InferenceSession(onx.SerializeToString()).run(
    ...     None, {"X": X})  # doctest: +SKIP
    """
    register()
    import numpy as np
    from skl2onnx import to_onnx as skl2onnx_to_onnx

    X_sample = np.asarray(X_sample)
    if X_sample.dtype not in (np.float32, np.float64):
        X_sample = X_sample.astype(np.float64)
    return skl2onnx_to_onnx(estimator, X_sample, target_opset=target_opset)
