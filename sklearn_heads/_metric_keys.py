"""The grammar of the heads' metric keys, checked before any model is scored.

A key is a base key, then the parts that some heads add::

    <base>[/positive_threshold_<t>][/<class>][/<head name>]

* ``positive_threshold_<t>`` follows ``accuracy``, ``precision`` and
  ``recall``, for each ``t`` of a head's ``thresholds`` (formatted with
  ``%g``);
* ``<class>`` follows ``auc``, ``auc_precision_recall`` and
  ``probability_mean`` of a multi-label head with
  ``classes_for_class_based_metrics`` (``class<id>``, or a name of its
  ``label_vocabulary``); ``probability_mean`` needs it;
* ``<head name>`` ends every key of a named head; ``loss/<name>`` (a
  :class:`MultiHead`'s) needs it.

:func:`parse_key` checks a key against this grammar, suggesting the key
that was probably meant; :func:`head_for_key` builds the default head that
reports a key for a model without a head of its own, and
:func:`missing_key_message` says which option of a head would make it
report a key it does not.
"""

import difflib
import re
from typing import NamedTuple, Optional, Tuple

from sklearn.base import clone

#: Every base key of the heads, in the order of the user guide's table.
BASE_KEYS = (
    "average_loss",
    "accuracy",
    "precision",
    "recall",
    "prediction/mean",
    "label/mean",
    "accuracy_baseline",
    "auc",
    "auc_precision_recall",
    "probability_mean",
    "loss",
)

#: Base keys with a ``/positive_threshold_<t>`` form.
THRESHOLDED = frozenset({"accuracy", "precision", "recall"})
#: Base keys with a ``/<class>`` form (multi-label).
PER_CLASS = frozenset({"auc", "auc_precision_recall", "probability_mean"})
#: Base keys where smaller is better (negated by the scorers).
LOSSES = frozenset({"average_loss", "loss"})
#: Base keys that depend on a binary model's decisions (its threshold).
DECISIONS = frozenset({"accuracy", "precision", "recall"})

_THRESHOLD_PREFIX = "positive_threshold_"
_CLASS_ID = re.compile(r"class(\d+)\Z")


class MetricKey(NamedTuple):
    """A key split into its parts; ``rest`` holds the class and name segments."""

    key: str
    base: str
    threshold: Optional[float]
    rest: Tuple[str, ...]

    @property
    def depends_on_decisions(self):
        """Whether the key counts a binary model's decisions at its threshold."""
        return self.base in DECISIONS and self.threshold is None


def _grammar():
    return (
        "A key is a base key ("
        + ", ".join(BASE_KEYS)
        + "), then /positive_threshold_<t> after accuracy, precision or recall, "
        "/<class> after auc, auc_precision_recall or probability_mean "
        "(multi-label), and /<head name> for a named head."
    )


def _invalid(key, problem, suggestion=None):
    hint = f"; did you mean {suggestion!r}?" if suggestion else "."
    return ValueError(f"{key!r} is not a metric key of the heads: {problem}{hint} {_grammar()}")


def _split_base(key):
    for base in sorted(BASE_KEYS, key=len, reverse=True):
        if key == base or key.startswith(base + "/"):
            return base, key[len(base) + 1 :]
    return None, key


def _suggest_base(key):
    """The key with its unknown base replaced by the closest base key, or None."""
    segments = key.split("/")
    best = None
    # the base may be one segment ("acuracy") or two ("prediction/maen")
    for n in (2, 1):
        head, tail = "/".join(segments[:n]), segments[n:]
        matches = difflib.get_close_matches(head, BASE_KEYS, n=1, cutoff=0.6)
        if matches:
            ratio = difflib.SequenceMatcher(None, head, matches[0]).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, "/".join([matches[0], *tail]))
    return None if best is None else best[1]


def _looks_like_threshold(segment):
    """A misspelt ``positive_threshold_<t>`` ("positive_treshold_0.3")."""
    words = re.sub(r"[\d.eE+-]+\Z", "", segment)
    if not words or words == _THRESHOLD_PREFIX:
        return False
    return difflib.SequenceMatcher(None, words, _THRESHOLD_PREFIX).ratio() >= 0.75


def parse_key(key):
    """Check ``key`` against the grammar of the heads' keys.

    Parameters
    ----------
    key : str

    Returns
    -------
    parsed : MetricKey

    Raises
    ------
    TypeError
        If ``key`` is not a non-empty string.
    ValueError
        If ``key`` cannot be a key of any head; the message suggests the
        closest valid key where there is one.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty string; got {key!r}.")
    if "" in key.split("/"):
        suggestion = "/".join(s for s in key.split("/") if s)
        raise _invalid(key, "it has an empty part between slashes", suggestion or None)
    base, rest = _split_base(key)
    if base is None:
        raise _invalid(key, "it starts with no base key", _suggest_base(key))
    segments = tuple(rest.split("/")) if rest else ()
    threshold = None
    if segments and segments[0].startswith(_THRESHOLD_PREFIX):
        text = segments[0][len(_THRESHOLD_PREFIX) :]
        if base not in THRESHOLDED:
            raise _invalid(
                key,
                f"only accuracy, precision and recall have a {_THRESHOLD_PREFIX}<t> form",
            )
        try:
            threshold = float(text)
        except ValueError:
            raise _invalid(key, f"{text!r} is not a number") from None
        if not 0.0 < threshold < 1.0:
            raise _invalid(key, f"the threshold {text} is not in the open interval (0, 1)")
        canonical = "%g" % threshold
        if canonical != text:
            suggestion = "/".join([base, _THRESHOLD_PREFIX + canonical, *segments[1:]])
            raise _invalid(
                key, f"the heads format thresholds with %g, so {text} reads {canonical}",
                suggestion,
            )
        segments = segments[1:]
    for i, segment in enumerate(segments):
        if _looks_like_threshold(segment):
            number = segment[len(re.sub(r"[\d.eE+-]+\Z", "", segment)) :]
            fixed = list(segments)
            fixed[i] = _THRESHOLD_PREFIX + number
            raise _invalid(
                key, f"{segment!r} looks like a misspelt {_THRESHOLD_PREFIX}<t>",
                "/".join([base, *fixed]),
            )
    if base == "probability_mean" and not segments:
        raise _invalid(key, "probability_mean is reported per class: probability_mean/<class>",
                       "probability_mean/class0")
    if base == "loss" and not segments:
        raise _invalid(key, "loss is a MultiHead's loss of one head: loss/<head name>",
                       "average_loss")
    return MetricKey(key, base, threshold, segments)


def _class_and_name(parsed, per_class):
    """``(class id or None, name or None)`` of a parsed key for a model without names."""
    rest = parsed.rest
    if per_class and parsed.base in PER_CLASS and rest:
        match = _CLASS_ID.match(rest[0])
        if match or parsed.base == "probability_mean":
            if not match:
                raise ValueError(
                    f"{parsed.key!r}: the classes of a model without a head of its own "
                    f"are named class<id> (such as class0); got {rest[0]!r}."
                )
            return int(match.group(1)), "/".join(rest[1:]) or None
    return None, "/".join(rest) or None


def head_for_key(parsed, task, n_outputs):
    """The head that reports ``parsed`` for a model that has none of its own.

    ``task`` is "binary", "multilabel" or "multiclass"; ``n_outputs`` the
    number of labels or classes. The head has the thresholds, class and
    name the key asks for, else the defaults; ``parsed=None`` gives the
    default head.
    """
    from ._heads import BinaryClassHead, MultiClassHead, MultiLabelHead

    threshold = class_id = name = None
    if parsed is not None:
        class_id, name = _class_and_name(parsed, per_class=task == "multilabel")
        threshold = parsed.threshold
    thresholds = None if threshold is None else [threshold]
    if task == "binary":
        return BinaryClassHead(thresholds=thresholds, name=name)
    if task == "multilabel":
        return MultiLabelHead(
            n_outputs,
            thresholds=thresholds,
            classes_for_class_based_metrics=None if class_id is None else [class_id],
            name=name,
        )
    return MultiClassHead(n_outputs, name=name)


def _variants(parsed, head):
    """Parameter changes of ``head`` that might make it report ``parsed.key``."""
    params = head.get_params(deep=False)
    rest = parsed.rest
    splits = [(None, rest)]
    if parsed.base in PER_CLASS and rest:
        splits.insert(0, (rest[0], rest[1:]))
    for class_part, name_parts in splits:
        change = {}
        if parsed.threshold is not None:
            current = list(params.get("thresholds") or ())
            change["thresholds"] = current + [parsed.threshold]
        if class_part is not None:
            match = _CLASS_ID.match(class_part)
            current = list(params.get("classes_for_class_based_metrics") or ())
            change["classes_for_class_based_metrics"] = current + [
                int(match.group(1)) if match else class_part
            ]
        name = "/".join(name_parts) or None
        if name != params.get("name"):
            change["name"] = name
        yield change


def missing_key_message(key, head, keys, owner=None):
    """Why ``head`` does not report ``key``, and the head option that would add it.

    Parameters
    ----------
    key : str
    head : head instance that computed ``keys``
    keys : iterable of str, the keys it reported
    owner : estimator, default=None
        The estimator whose head it is, to name its own parameter when it
        has one of the same name (``thresholds``).
    """
    message = f"{key!r} is not a metric of {head!r}"
    try:
        parsed = parse_key(key)
    except (TypeError, ValueError):
        parsed = None
    fix = None
    if parsed is not None:
        for change in _variants(parsed, head):
            if not change:
                continue
            try:
                variant = clone(head).set_params(**change)
            except (TypeError, ValueError):
                continue
            if key in variant.metrics():
                fix = change
                break
    if fix is not None:
        options = ", ".join(f"{name}={value!r}" for name, value in fix.items())
        message += f"; the head reports it with {options}"
        owner_params = owner.get_params(deep=False) if owner is not None else {}
        if set(fix) <= set(owner_params):
            message += f": {type(owner).__name__}(..., {options})"
        elif "head" in owner_params:
            message += f": {type(owner).__name__}({type(head).__name__}(..., {options}))"
    elif parsed is not None:
        related = sorted(k for k in keys if _split_base(k)[0] == parsed.base)
        if related:
            message += f"; its {parsed.base!r} keys are {related}"
        else:
            message += f"; a {type(head).__name__} does not report {parsed.base!r}"
    return f"{message}. Its metrics are {sorted(keys)}."
