"""Find layers by name or kind, also inside nested models, and build feature extractors."""

from __future__ import annotations

from collections.abc import Iterator

import keras

LAYER_KINDS = ("conv", "dense", "last_conv", "head")


def iter_layers(model: keras.Model, prefix: str = "") -> Iterator[tuple[str, keras.Layer]]:
    """Every layer as ``(path, layer)``, depth first; nested models give ``outer/inner`` paths.

    Input layers are left out: they hold no weights and compute nothing.
    """
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        path = f"{prefix}{layer.name}"
        yield path, layer
        if isinstance(layer, keras.Model):
            yield from iter_layers(layer, prefix=f"{path}/")


def layer_names(model: keras.Model) -> list[str]:
    """The paths of all layers, as accepted by :func:`find_layer`."""
    return [path for path, _ in iter_layers(model)]


def _is_conv(layer: keras.Layer) -> bool:
    return isinstance(layer, keras.layers.Conv2D | keras.layers.DepthwiseConv2D)


def find_layer(model: keras.Model, name: str | int | None = None, kind: str | None = None):
    """A layer by name (or ``outer/inner`` path, or index in ``model.layers``) or by kind.

    Kinds: ``conv`` / ``last_conv`` (the last Conv2D), ``dense`` / ``head`` (the last Dense).
    Names may be plain: a unique layer name is found inside nested models too.

    Raises
    ------
    ValueError
        Unknown name (the message lists the available names), unknown kind, no layer of
        that kind, or neither/both of ``name`` and ``kind`` given.
    """
    if (name is None) == (kind is None):
        raise ValueError("give exactly one of name= or kind=")
    if kind is not None:
        if kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {kind!r}; use one of {LAYER_KINDS}")
        wanted = (
            _is_conv
            if kind in ("conv", "last_conv")
            else (lambda layer: isinstance(layer, keras.layers.Dense))
        )
        matches = [layer for _, layer in iter_layers(model) if wanted(layer)]
        if not matches:
            raise ValueError(f"model {model.name!r} has no {kind} layer")
        return matches[-1]
    if isinstance(name, int):
        if not -len(model.layers) <= name < len(model.layers):
            raise ValueError(f"layer index {name} out of range: the model has {len(model.layers)}")
        return model.layers[name]
    exact = [layer for path, layer in iter_layers(model) if path == name]
    if exact:
        return exact[0]
    by_name = [
        (path, layer) for path, layer in iter_layers(model) if path.rsplit("/", 1)[-1] == name
    ]
    if len(by_name) > 1:
        raise ValueError(
            f"layer name {name!r} is ambiguous: {[path for path, _ in by_name]}; give the full "
            "outer/inner path"
        )
    if by_name:
        return by_name[0][1]
    raise ValueError(f"no layer named {name!r}; available layers: {layer_names(model)}")


def _containing_model(model: keras.Model, target: keras.Layer) -> list[keras.Model]:
    """The chain of models from ``model`` down to the one that directly holds ``target``."""
    if any(layer is target for layer in model.layers):
        return [model]
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            chain = _containing_model(layer, target)
            if chain:
                return [model, *chain]
    return []


def feature_extractor(model: keras.Model, layer: str | int | keras.Layer) -> keras.Model:
    """A model from ``model``'s input to the output of ``layer`` (a name, index or layer).

    Works for layers inside a nested model (a pretrained base inside a Sequential or a
    functional model that applies it to its input), avoiding "graph disconnected" errors.
    """
    target = layer if isinstance(layer, keras.Layer) else find_layer(model, name=layer)
    chain = _containing_model(model, target)
    if not chain:
        raise ValueError(f"layer {target.name!r} is not part of model {model.name!r}")
    return _extractor(chain, target)


def _extractor(chain: list[keras.Model], target: keras.Layer) -> keras.Model:
    outer = chain[0]
    if len(chain) == 1:
        inputs = outer.inputs[0] if len(outer.inputs) == 1 else outer.inputs
        return keras.Model(inputs, target.output, name=f"{outer.name}_to_{target.name}")
    inner = _extractor(chain[1:], target)
    sub_model = chain[1]
    inputs = keras.Input(shape=outer.inputs[0].shape[1:], name="image")
    x = inputs
    for layer in outer.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if layer is sub_model:
            return keras.Model(inputs, inner(x), name=f"{outer.name}_to_{target.name}")
        if not isinstance(outer, keras.Sequential):
            break
        x = layer(x)
    raise ValueError(
        f"cannot build an extractor through nested model {sub_model.name!r}: it must sit in a "
        "Sequential or be applied directly to the input of a functional model. Build the "
        f"extractor from the sub-model instead: feature_extractor({sub_model.name}, ...)"
    )


def receptive_field(model: keras.Model, layer: str | int) -> int:
    """Side, in input pixels, of the region one unit of ``layer`` sees (convs and pools).

    Each layer with kernel ``k`` and stride ``s`` grows the field by ``(k - 1) * jump`` and
    multiplies the jump (input pixels between neighbouring units) by ``s``.
    """
    target = find_layer(model, name=layer)
    if len(target.output.shape) != 4:
        raise ValueError(
            f"layer {target.name!r} ({type(target).__name__}) has no spatial maps: each of its "
            "units sees the whole image. Pick a conv or pooling layer"
        )
    field, jump = 1, 1
    for _, current in iter_layers(model):
        size = getattr(current, "kernel_size", None) or getattr(current, "pool_size", None)
        if size is not None:
            field += (size[0] - 1) * jump
            jump *= current.strides[0]
        if current is target:
            return field
    raise ValueError(f"layer {target.name!r} was not reached")


def with_intermediate(
    model: keras.Model, layer: str | keras.Layer, use_input: bool = False
) -> keras.Model:
    """A model from the input to ``[layer's output (or input), the model's output]``.

    One forward pass gives both (for CAMs and Grad-CAM). Layers inside a nested model are
    supported when the outer model is a Sequential (a pretrained base inside a Sequential).
    """
    target = layer if isinstance(layer, keras.Layer) else find_layer(model, name=layer)
    chain = _containing_model(model, target)
    if not chain:
        raise ValueError(f"layer {target.name!r} is not part of model {model.name!r}")
    return _two_outputs(chain, target, use_input)


def _two_outputs(chain: list[keras.Model], target: keras.Layer, use_input: bool) -> keras.Model:
    outer = chain[0]
    if len(chain) == 1:
        inputs = outer.inputs[0] if len(outer.inputs) == 1 else outer.inputs
        middle = target.input if use_input else target.output
        return keras.Model(
            inputs, [middle, outer.outputs[0]], name=f"{outer.name}_and_{target.name}"
        )
    if not isinstance(outer, keras.Sequential):
        raise ValueError(
            f"layer {target.name!r} sits in nested model {chain[1].name!r} inside a functional "
            "model; rebuild the outer model as a Sequential or pass the nested model itself"
        )
    inner = _two_outputs(chain[1:], target, use_input)
    inputs = keras.Input(shape=outer.inputs[0].shape[1:], name="image")
    x, middle = inputs, None
    for current in outer.layers:
        if isinstance(current, keras.layers.InputLayer):
            continue
        if current is chain[1]:
            middle, x = inner(x)
        else:
            x = current(x)
    return keras.Model(inputs, [middle, x], name=f"{outer.name}_and_{target.name}")
