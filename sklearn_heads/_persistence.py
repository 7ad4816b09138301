"""What to trust when loading a model with skops instead of pickle."""


def skops_trusted_types():
    """The types of this package that :func:`skops.io.load` may construct.

    :mod:`skops.io` loads only the types it is told to trust, unlike
    :mod:`pickle`, which runs whatever code a file asks for. A fitted
    estimator of this package holds its own estimator and head classes
    (and NumPy arrays and builtins, which skops trusts by default); their
    module paths are private and may change between releases, so take them
    from here::

        import skops.io as sio
        sio.dump(model, "model.skops")
        model = sio.load("model.skops", trusted=sklearn_heads.skops_trusted_types())

    A head with a ``loss_fn`` (or a ``RegressionHead`` with an
    ``inverse_link_fn``) also holds that function, which is not listed:
    check :func:`skops.io.get_untrusted_types` before trusting it.

    Returns
    -------
    types : list of str
        Fully qualified names, as skops reports untrusted types.
    """
    from sklearn.base import BaseEstimator

    import sklearn_heads

    names = []
    for name in sklearn_heads.__all__:
        obj = getattr(sklearn_heads, name)
        # the estimators and the heads (scikit-learn parameter objects)
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            names.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)
