"""Write the fallback intersphinx inventories of ``doc/conf.py``.

``doc/conf.py`` links to scikit-learn, NumPy, SciPy, Dask, distributed,
joblib and Python through intersphinx. Each site's own ``objects.inv`` is
tried first; when it cannot be fetched (no network, as in CI), Sphinx
falls back to the ``*.inv`` file next to this script. These files are
written here, by introspecting the installed libraries' public API and
mapping every name to the URL its official site gives it:

==============  ===============================================================================
site            URL of a name (relative to the site's root)
==============  ===============================================================================
scikit-learn    ``modules/generated/sklearn.linear_model.LogisticRegression.html#sklearn.linear_model.LogisticRegression``
                (methods: ``...LogisticRegression.html#sklearn.linear_model.LogisticRegression.fit``);
                modules ``api/sklearn.metrics.html#module-sklearn.metrics`` (a submodule is on
                its top-level module's page); glossary ``glossary.html#term-array-like``
NumPy           ``reference/generated/numpy.asarray.html#numpy.asarray`` (also classes and
                ``numpy.ndarray.<method>``); scalar types ``reference/arrays.scalars.html#numpy.float32``;
                constants ``reference/constants.html#numpy.inf``; ``numpy.random.RandomState``
                ``reference/random/legacy.html#...``; glossary ``glossary.html#term-array_like``
SciPy           ``reference/generated/scipy.optimize.minimize.html#scipy.optimize.minimize``;
                modules ``reference/optimize.html#module-scipy.optimize``
Dask            ``generated/dask.array.Array.html#dask.array.Array``, one page per
                ``dask.array`` function and ``Array`` member; ``api.html#dask.persist``
distributed     ``api.html#distributed.Client`` (members ``#distributed.Client.submit``)
joblib          ``generated/joblib.dump.html#joblib.dump``
Python          the inventory of the Python 3.11 documentation that Debian's
                ``python3.11-doc`` package ships, reduced to the modules, the
                built-in names, the glossary and the labels numpydoc links to
==============  ===============================================================================

The inventories list only public names (about 40 KB in all), so a
reference to a private name fails in an offline build just as it does
online.

Regenerate them after a new release of one of these libraries, in the
environment the documentation is built with (``pip install ".[docs]"``),
and commit the result::

    apt-get download python3.11-doc && dpkg -x python3.11-doc_*.deb /tmp/pydoc
    python doc/_intersphinx/make_inventories.py \\
        --python-inventory /tmp/pydoc/usr/share/doc/python3.11/html/objects.inv

Without ``--python-inventory`` the Python inventory is left as it is.
The format is Sphinx's inventory version 2: four header lines, then
zlib-compressed lines ``name domain:role priority uri dispname``.
"""

import argparse
import importlib
import inspect
import os
import pkgutil
import re
import warnings
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


# -- writing and reading objects.inv ----------------------------------------
def write_inventory(path, project, version, entries):
    """Write ``entries`` ``(name, "domain:role", priority, uri, dispname)``."""
    lines = []
    seen = set()
    for name, role, priority, uri, dispname in sorted(set(entries)):
        if (name, role) in seen:  # first URI wins, as in Sphinx
            continue
        seen.add((name, role))
        if uri.endswith(name):
            uri = uri[: -len(name)] + "$"
        if not dispname or dispname == name:
            dispname = "-"
        lines.append(f"{name} {role} {priority} {uri} {dispname}")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode("utf-8"), 9)
    with open(path, "wb") as stream:
        stream.write(header.encode("utf-8") + body)
    print(f"{os.path.relpath(path)}: {len(lines)} names, {len(body) // 1024 + 1} KB")


_LINE = re.compile(r"(.+?)\s+(\S+)\s+(-?\d+)\s+?(\S*)\s+(.*)")


def read_inventory(path):
    """The entries of a version-2 ``objects.inv`` (``$`` expanded)."""
    with open(path, "rb") as stream:
        data = stream.read()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    if not data.startswith(b"# Sphinx inventory version 2"):
        raise ValueError(f"{path} is not a version-2 Sphinx inventory")
    for line in zlib.decompress(data[header_end:]).decode("utf-8").splitlines():
        match = _LINE.match(line.rstrip())
        if not match:
            continue
        name, role, priority, uri, dispname = match.groups()
        if uri.endswith("$"):
            uri = uri[:-1] + name
        yield name, role, int(priority), uri, dispname


# -- introspection helpers --------------------------------------------------
def _public(name):
    return not name.startswith("_")


def _members(cls, own_only=False, documented_only=False):
    """``(name, role)`` of the public methods and properties of ``cls``."""
    names = vars(cls) if own_only else dir(cls)
    for name in names:
        if not _public(name):
            continue
        raw = inspect.getattr_static(cls, name, None)
        if raw is None:
            continue
        if documented_only and not getattr(raw, "__doc__", None):
            continue
        if isinstance(raw, property):
            yield name, "py:property"
        elif isinstance(raw, (staticmethod, classmethod)) or callable(raw):
            yield name, "py:method"


# -- scikit-learn -----------------------------------------------------------
#: terms of scikit-learn's glossary (glossary.html) that these pages use,
#: spelled as in its glossary.rst
SKLEARN_TERMS = [
    "array-like",
    "sparse matrix",
    "estimator",
    "multilabel indicator matrix",
    "random_state",
    "sample_weight",
    "n_jobs",
    "scorer",
    "warm_start",
]

#: modules that are not public API pages (data folders, switches)
_SKLEARN_SKIP = ("sklearn.experimental", "sklearn.datasets.", "sklearn.utils.fixes")


def _sklearn_module_names(module):
    """Public names documented under ``module``: its ``__all__``, else the
    classes and functions defined in it (or in its private submodules)."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = []
    for name, obj in vars(module).items():
        if not _public(name) or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        home = getattr(obj, "__module__", "") or ""
        if home == module.__name__ or home.startswith(module.__name__ + "._"):
            names.append(name)
    return names


def sklearn_entries():
    import sklearn
    from sklearn.experimental import (  # noqa: F401  documented, behind a switch
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    def page(full):
        return f"modules/generated/{full}.html#{full}"

    modules = ["sklearn"]
    for info in pkgutil.walk_packages(sklearn.__path__, "sklearn.", onerror=lambda n: None):
        parts = info.name.split(".")
        if any(p.startswith("_") or p in ("tests", "externals", "conftest") for p in parts):
            continue
        if info.name.startswith(_SKLEARN_SKIP) and info.name != "sklearn.datasets":
            continue
        modules.append(info.name)

    for modname in modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = importlib.import_module(modname)
        except ImportError:
            continue
        top = ".".join(modname.split(".")[:2])
        yield modname, "py:module", 0, f"api/{top}.html#module-{modname}", "-"
        for name in _sklearn_module_names(module):
            try:
                obj = getattr(module, name, None)
            except ImportError:
                continue
            full = f"{modname}.{name}"
            if obj is None or inspect.ismodule(obj):
                continue
            if inspect.isclass(obj):
                role = "py:exception" if issubclass(obj, BaseException) else "py:class"
                yield full, role, 1, page(full), "-"
                if role == "py:class":
                    for member, member_role in _members(obj):
                        yield f"{full}.{member}", member_role, 1, f"{page(full)}.{member}", "-"
            elif callable(obj):
                yield full, "py:function", 1, page(full), "-"
    for term in SKLEARN_TERMS:
        # Sphinx's ids keep case, "." and "_": "random_state" -> term-random_state
        slug = re.sub(r"[^a-zA-Z0-9._]+", "-", term).strip("-")
        yield term, "std:term", -1, f"glossary.html#term-{slug}", term


# -- NumPy ------------------------------------------------------------------
NUMPY_CONSTANTS = ["e", "euler_gamma", "inf", "nan", "newaxis", "pi"]


def numpy_entries():
    import numpy as np

    yield "numpy", "py:module", 0, "reference/index.html#module-numpy", "-"
    yield "numpy.random", "py:module", 0, "reference/random/index.html#module-numpy.random", "-"
    yield (
        "numpy.random.RandomState", "py:class", 1,
        "reference/random/legacy.html#numpy.random.RandomState", "-",
    )
    for name in ("Generator", "default_rng"):
        role = "py:class" if name == "Generator" else "py:function"
        yield (
            f"numpy.random.{name}", role, 1,
            f"reference/random/generator.html#numpy.random.{name}", "-",
        )
    for name in NUMPY_CONSTANTS:
        yield f"numpy.{name}", "py:data", 1, f"reference/constants.html#numpy.{name}", "-"
    for name in dir(np):
        if not _public(name) or name in NUMPY_CONSTANTS:
            continue
        try:
            obj = getattr(np, name)
        except AttributeError:
            continue
        full = f"numpy.{name}"
        generated = f"reference/generated/{full}.html#{full}"
        if inspect.ismodule(obj):
            continue
        if inspect.isclass(obj):
            if issubclass(obj, np.generic):
                yield full, "py:class", 1, f"reference/arrays.scalars.html#{full}", "-"
            elif issubclass(obj, BaseException):
                continue  # documented in numpy.exceptions
            else:
                yield full, "py:class", 1, generated, "-"
        elif isinstance(obj, np.ufunc):
            yield full, "py:data", 1, generated, "-"
        elif callable(obj):
            yield full, "py:function", 1, generated, "-"
    for member, role in _members(np.ndarray):
        full = f"numpy.ndarray.{member}"
        role = "py:attribute" if role == "py:property" else role
        yield full, role, 1, f"reference/generated/{full}.html#{full}", "-"
    for attribute in ("T", "dtype", "ndim", "shape", "size", "nbytes", "itemsize"):
        full = f"numpy.ndarray.{attribute}"
        yield full, "py:attribute", 1, f"reference/generated/{full}.html#{full}", "-"
    yield "array_like", "std:term", -1, "glossary.html#term-array_like", "array_like"


# -- SciPy ------------------------------------------------------------------
SCIPY_MODULES = ["linalg", "optimize", "sparse", "special"]


def scipy_entries():
    for sub in SCIPY_MODULES:
        modname = f"scipy.{sub}"
        module = importlib.import_module(modname)
        yield modname, "py:module", 0, f"reference/{sub}.html#module-{modname}", "-"
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if obj is None or inspect.ismodule(obj) or not _public(name):
                continue
            full = f"{modname}.{name}"
            if inspect.isclass(obj):
                role = "py:exception" if issubclass(obj, BaseException) else "py:class"
            elif callable(obj):
                role = "py:function"
            else:
                continue
            yield full, role, 1, f"reference/generated/{full}.html#{full}", "-"


# -- Dask and distributed ---------------------------------------------------
#: ``dask`` functions documented on api.html
DASK_TOP_LEVEL = [
    "annotate", "compute", "get_annotations", "is_dask_collection", "optimize",
    "persist", "visualize",
]
#: public ``dask.array`` names without a page of their own: NumPy's scalar
#: types re-exported, ``dask.compute``/``dask.optimize``, the warning class,
#: deprecated or internal helpers (checked against dask's array-api.rst)
_DASK_ARRAY_SKIP = {"PerformanceWarning", "array_expr_enabled", "assert_eq", "atop",
                    "compute", "ndim", "optimize"}
_DASK_ARRAY_MEMBER_SKIP = {"A", "T"}


def dask_entries():
    import dask
    import dask.array as da

    for name in DASK_TOP_LEVEL:
        if hasattr(dask, name):
            yield f"dask.{name}", "py:function", 1, f"api.html#dask.{name}", "-"
    full = "dask.array.Array"
    yield full, "py:class", 1, f"generated/{full}.html#{full}", "-"
    for member, role in _members(da.Array):
        if member in _DASK_ARRAY_MEMBER_SKIP:
            continue
        name = f"{full}.{member}"
        role = "py:attribute" if role == "py:property" else role
        yield name, role, 1, f"generated/{name}.html#{name}", "-"
    for name in dir(da):
        obj = getattr(da, name)
        if not _public(name) or name in _DASK_ARRAY_SKIP or inspect.ismodule(obj):
            continue
        if inspect.isclass(obj) or not callable(obj):
            continue
        if not (getattr(obj, "__module__", "") or "").startswith("dask"):
            continue
        full = f"dask.array.{name}"
        yield full, "py:function", 1, f"generated/{full}.html#{full}", "-"


#: names documented with autodoc on distributed's api.html (classes with
#: ``:members:``, i.e. their own documented members)
DISTRIBUTED_CLASSES = [
    "Client", "Future", "Event", "Lock", "MultiLock", "Semaphore", "Queue", "Variable",
    "LocalCluster", "SpecCluster", "as_completed", "Reschedule",
    "get_task_stream", "get_task_metadata", "performance_report",
]
DISTRIBUTED_FUNCTIONS = [
    "wait", "fire_and_forget", "futures_of", "worker_client", "get_worker",
    "get_client", "secede", "rejoin", "print", "warn",
]


def distributed_entries():
    import distributed

    for name in DISTRIBUTED_CLASSES:
        cls = getattr(distributed, name)
        full = f"distributed.{name}"
        yield full, "py:class", 1, f"api.html#{full}", "-"
        if name in ("Reschedule",):
            continue
        for member, role in _members(cls, own_only=True, documented_only=True):
            yield f"{full}.{member}", role, 1, f"api.html#{full}.{member}", "-"
    for name in DISTRIBUTED_FUNCTIONS:
        full = f"distributed.{name}"
        yield full, "py:function", 1, f"api.html#{full}", "-"


# -- joblib -----------------------------------------------------------------
#: joblib's reference page (references.rst): one generated page each
JOBLIB_CLASSES = ["Memory", "Parallel", "parallel_config", "parallel_backend"]
JOBLIB_FUNCTIONS = ["cpu_count", "dump", "load", "hash", "register_compressor"]


def joblib_entries():
    import joblib

    for name in JOBLIB_CLASSES + JOBLIB_FUNCTIONS:
        obj = getattr(joblib, name)
        full = f"joblib.{name}"
        page = f"generated/{full}.html#{full}"
        yield full, "py:class" if name in JOBLIB_CLASSES else "py:function", 1, page, "-"
        if inspect.isclass(obj):
            for member, role in _members(obj, own_only=True, documented_only=True):
                yield f"{full}.{member}", role, 1, f"{page}.{member}", "-"


# -- Python -----------------------------------------------------------------
#: labels of the Python documentation that numpydoc's default aliases use
PYTHON_LABELS = {"bltin-boolean-values"}


def python_entries(path):
    """The modules, built-in names, glossary and a few labels of ``path``."""
    for name, role, priority, uri, dispname in read_inventory(path):
        keep = (
            role == "py:module"
            or role == "std:term"
            or (role == "std:label" and name in PYTHON_LABELS)
            or (role.startswith("py:") and "." not in name and uri.startswith(
                ("library/functions.html", "library/stdtypes.html",
                 "library/constants.html", "library/exceptions.html")))
        )
        if keep:
            yield name, role, priority, uri, dispname


# -- main -------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--python-inventory",
        help="objects.inv of the Python documentation (Debian: python3.11-doc's "
        "/usr/share/doc/python3.11/html/objects.inv); without it python.inv is kept",
    )
    args = parser.parse_args()

    import dask
    import distributed
    import joblib
    import numpy
    import scipy
    import sklearn

    def out(name):
        return os.path.join(HERE, name)

    write_inventory(out("sklearn.inv"), "scikit-learn", sklearn.__version__, sklearn_entries())
    write_inventory(out("numpy.inv"), "NumPy", numpy.__version__, numpy_entries())
    write_inventory(out("scipy.inv"), "SciPy", scipy.__version__, scipy_entries())
    write_inventory(out("dask.inv"), "Dask", dask.__version__, dask_entries())
    write_inventory(
        out("distributed.inv"), "Dask.distributed", distributed.__version__,
        distributed_entries(),
    )
    write_inventory(out("joblib.inv"), "joblib", joblib.__version__, joblib_entries())
    if args.python_inventory:
        write_inventory(
            out("python.inv"), "Python", "3.11", python_entries(args.python_inventory)
        )


if __name__ == "__main__":
    main()
