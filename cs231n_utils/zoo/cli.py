"""List the zoo's models, or print one model's output shapes layer by layer.

    python -m cs231n_utils.zoo --list
    python -m cs231n_utils.zoo --shapes NAME [--input C H W]
"""

from __future__ import annotations

import argparse
import sys

import torch

from .registry import MODELS, UnknownModelError, count_parameters, get_spec, layer_shapes

__all__ = ["list_table", "shapes_table", "main"]


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def list_table() -> str:
    """One line per registered model: name, parameters, input shape, data set, origin."""
    header = ("model", "parameters", "input", "data set", "origin")
    rows = [header]
    for spec in MODELS.values():
        # Built on the meta device: the parameters have shapes but no memory, so even
        # VGG-11's 10^8 weights are counted without being allocated or initialised.
        with torch.device("meta"):
            model = spec.build()
        rows.append((spec.name, f"{count_parameters(model):,}", _shape(spec.input_shape), spec.dataset,
                     spec.origin))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {1}  # numbers align right
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    return "\n".join(lines)


def shapes_table(name: str, input_shape: tuple[int, ...] | None = None) -> str:
    """d2l's printout of ``name``: each top-level layer's output shape on one input."""
    spec = get_spec(name)
    input_shape = spec.input_shape if input_shape is None else tuple(input_shape)
    shapes = layer_shapes(name, input_shape)
    width = max(len(label) for label, _ in shapes)
    lines = [f"{name}: input (1, {', '.join(map(str, input_shape))})"]
    lines += [f"{label.ljust(width)}  output shape: {tuple(shape)}" for label, shape in shapes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs231n_utils.zoo", description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--list", action="store_true", help="every model: parameters and input shape")
    action.add_argument("--shapes", metavar="NAME", help="a model's output shapes, layer by layer")
    parser.add_argument("--input", type=int, nargs=3, metavar=("C", "H", "W"),
                        help="input shape for --shapes (default: the model's registered one)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        print(list_table())
        return 0
    try:
        print(shapes_table(args.shapes, args.input))
    except UnknownModelError as error:
        parser.error(str(error))
    except RuntimeError as error:  # an input too small or of the wrong size for the layers
        parser.error(f"{args.shapes} on input {tuple(args.input)}: {error}")
    return 0
