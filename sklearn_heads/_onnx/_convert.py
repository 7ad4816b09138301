"""ONNX graphs of fitted estimators, as skl2onnx converters (imports skl2onnx).

Each estimator becomes one operator of skl2onnx's topology: a custom parser
declares its outputs (``label`` and ``probabilities`` for a classifier, as
skl2onnx's classifiers name them with ``zipmap=False``; ``variable`` for a
regressor), a shape calculator gives their shapes, and the converter writes
the logits model (``MatMul``/``Add`` per layer, the hidden activation) and
the head's serving transform (see ``_serving``). Everything is computed in
the input's floating type (float32 or float64), as ``predict`` does.
"""

import numpy as np
from skl2onnx import update_registered_converter
from skl2onnx.algebra.onnx_ops import (
    OnnxAdd,
    OnnxArgMax,
    OnnxCast,
    OnnxConcat,
    OnnxExp,
    OnnxGather,
    OnnxGreater,
    OnnxIdentity,
    OnnxMatMul,
    OnnxRelu,
    OnnxReshape,
    OnnxSigmoid,
    OnnxSoftmax,
    OnnxSub,
    OnnxTanh,
)
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
    guess_numpy_type,
)
from skl2onnx.proto import onnx_proto

from ._serving import serving

_ACTIVATIONS = {"relu": OnnxRelu, "tanh": OnnxTanh, "logistic": OnnxSigmoid}
_LINKS = {"sigmoid": OnnxSigmoid, "exp": OnnxExp}


def _label_type(classes):
    """The ONNX tensor type of ``classes`` (what ``predict`` returns).

    None: a multi-label indicator (int64).
    """
    if classes is None:
        return Int64TensorType
    kind = np.asarray(classes).dtype.kind
    if kind in "iub":
        return Int64TensorType
    if kind == "f":
        return DoubleTensorType
    return StringTensorType


def _float_type(variable):
    return DoubleTensorType if guess_numpy_type(variable.type) == np.float64 else FloatTensorType


def parse(scope, model, inputs, custom_parsers=None):
    """Declare the estimator's operator and its outputs."""
    from skl2onnx._supported_operators import get_model_alias

    spec = serving(model)
    operator = scope.declare_local_operator(get_model_alias(type(model)), model)
    operator.inputs = list(inputs)
    floats = _float_type(inputs[0])
    if spec.classifier:
        operator.outputs.append(
            scope.declare_local_variable("label", _label_type(spec.label_values)())
        )
        operator.outputs.append(scope.declare_local_variable("probabilities", floats()))
    else:
        operator.outputs.append(scope.declare_local_variable("variable", floats()))
    return operator.outputs


def calculate_shapes(operator):
    """Output shapes: ``(N,)`` or ``(N, k)`` labels, ``(N, width)`` values."""
    spec = serving(operator.raw_operator)
    n = operator.inputs[0].get_first_dimension()
    if spec.classifier:
        label, proba = operator.outputs
        label.type.shape = [n] if spec.label_width is None else [n, spec.label_width]
        proba.type.shape = [n, spec.proba_width]
    else:
        operator.outputs[0].type.shape = [n, spec.output_width]


def convert(scope, operator, container):
    """Write the logits model and the head's serving transform."""
    model = operator.raw_operator
    spec = serving(model)
    opv = container.target_opset
    dtype = guess_numpy_type(operator.inputs[0].type)
    logits = operator.inputs[0]
    for i, (W, b) in enumerate(zip(spec.weights, spec.intercepts)):
        logits = OnnxMatMul(logits, W.astype(dtype), op_version=opv)
        if b is not None:
            logits = OnnxAdd(logits, b.astype(dtype), op_version=opv)
        if i < len(spec.weights) - 1 and spec.activation in _ACTIVATIONS:
            logits = _ACTIVATIONS[spec.activation](logits, op_version=opv)

    if not spec.classifier:
        value = _LINKS[spec.link](logits, op_version=opv) if spec.link in _LINKS else logits
        OnnxIdentity(value, op_version=opv, output_names=operator.outputs[:1]).add_to(
            scope, container
        )
        return

    label_out, proba_out = operator.outputs
    if spec.link == "softmax":
        proba = OnnxSoftmax(logits, axis=1, op_version=opv)
        index = OnnxArgMax(logits, axis=1, keepdims=0, op_version=opv)
    else:  # sigmoid: one probability per logit, a decision per threshold
        proba = OnnxSigmoid(logits, op_version=opv)
        above = OnnxGreater(logits, spec.logit_thresholds.astype(dtype), op_version=opv)
        index = OnnxCast(above, to=onnx_proto.TensorProto.INT64, op_version=opv)
        if spec.label_width is None:  # binary: (N, 1) -> (N,), and P(negative) first
            index = OnnxReshape(index, np.array([-1], dtype=np.int64), op_version=opv)
            proba = OnnxConcat(
                OnnxSub(np.array([1], dtype=dtype), proba, op_version=opv),
                proba,
                axis=1,
                op_version=opv,
            )
    if spec.label_values is None:  # multi-label: the indicator itself
        label = index
    else:
        values = np.asarray(spec.label_values)
        if _label_type(values) is Int64TensorType:
            values = values.astype(np.int64)
        elif _label_type(values) is DoubleTensorType:
            values = values.astype(np.float64)
        else:
            values = values.astype(str).astype(object)
        label = OnnxGather(values, index, op_version=opv)
    OnnxIdentity(label, op_version=opv, output_names=[label_out]).add_to(scope, container)
    OnnxIdentity(proba, op_version=opv, output_names=[proba_out]).add_to(scope, container)


def register(estimator_classes):
    """Register the converter of each class with skl2onnx (idempotent)."""
    for cls in estimator_classes:
        update_registered_converter(
            cls,
            f"SklearnHeads{cls.__name__}",
            calculate_shapes,
            convert,
            parser=parse,
            overwrite=True,
        )
