"""Typed models of the JSON files a bundle holds (and of layer-info / profile exports).

Each model names the keys trtlog reads and the type each must have; other keys pass untouched.
A value of the wrong type is bad input: one line naming the file, the key and what was found
(`status.json: "engine_bytes" must be an integer, not the string "lots"`), exit 2. Numbers must be
finite; a bool is not a number and a string is not a bool (`{"ok": "false"}` is not a success).
"""
from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Tuple, Union

from ..errors import TrtlogError
from . import bundlemodels as M


class Opt:
    """The key may be absent or null."""

    def __init__(self, spec: Any):
        self.spec = spec


class AnyOf:
    def __init__(self, *specs: Any, name: str):
        self.specs, self.name = specs, name


class ListOf:
    def __init__(self, spec: Any):
        self.spec = spec


class MapOf:
    """A JSON object with any keys, each value of `spec`."""

    def __init__(self, spec: Any):
        self.spec = spec


NUMBER, INT, BOOL, STR, ANY = "number", "integer", "true or false", "a string", "anything"
SCALAR = AnyOf(STR, NUMBER, name="a string or a number")
# a Python dict spec = a JSON object whose listed keys have those specs (other keys are free)
Spec = Union[str, Opt, AnyOf, ListOf, MapOf, Dict[str, Any]]

# one engine build of a bundle that holds several steps (tests/zoo/two_builds.py)
_STEP = {"model": Opt(STR), "ok": Opt(BOOL), "deserialized": Opt(BOOL), "build_seconds": Opt(NUMBER),
         "engine_bytes": Opt(INT)}
STATUS = {"ok": Opt(BOOL), "exit_code": Opt(INT), "error": Opt(STR), "build_seconds": Opt(NUMBER),
          "engine_bytes": Opt(INT), "producer": Opt(STR), "wall_seconds": Opt(NUMBER),
          "warnings": Opt(INT), "errors": Opt(INT), "phase": Opt(STR), "builds": Opt(ListOf(_STEP))}
ENV = {"tensorrt": Opt(SCALAR), "tensorrt_rtx": Opt(SCALAR), "backend": Opt(STR), "gpu": Opt(STR),
       "gpu_name": Opt(STR), "compute_capability": Opt(SCALAR), "producer": Opt(STR), "gpu_memory_mib": Opt(NUMBER),
       "nvidia_driver": Opt(SCALAR)}
_DIMS = AnyOf(ListOf(INT), STR, name="dimensions (a list of integers or '1x3x224x224')")
_SHAPES = Opt(MapOf(_DIMS))
_PROFILE = {"shapes": _SHAPES, "min_shapes": _SHAPES, "opt_shapes": _SHAPES, "max_shapes": _SHAPES}
CONFIG = {"argv": Opt(ListOf(STR)),
          "spec": Opt({"model": Opt(STR), "precisions": Opt(ListOf(STR)), "best": Opt(BOOL),
                       "strongly_typed": Opt(BOOL), **_PROFILE, "extra_profiles": Opt(ListOf(_PROFILE))}),
          "profiles_added": Opt(ListOf(INT)), "layer_precisions_applied": Opt(ListOf(STR)),
          "plan": Opt({"tactic_sources": Opt(ListOf(STR)), "layer_precisions": Opt(MapOf(STR)),
                       "builder_flags": Opt(ListOf(STR))})}
_NONFINITE = Opt(MapOf(Opt(NUMBER)))
VALIDATE = {"status": Opt(STR), "passed": Opt(BOOL),
            "outputs": Opt(ListOf({"name": Opt(STR), "passed": Opt(BOOL), "max_abs_ref": Opt(NUMBER),
                                   "rel_l2": Opt(NUMBER), "cosine": Opt(NUMBER), "max_abs_err": Opt(NUMBER),
                                   "engine_nonfinite": _NONFINITE, "reference_nonfinite": _NONFINITE,
                                   "reasons": Opt(ListOf(STR))}))}
BENCH = {"metrics": Opt(MapOf(MapOf(Opt(NUMBER)))), "units": Opt(MapOf(STR))}
_TENSORS = Opt(ListOf(AnyOf(STR, {"Name": Opt(STR), "Dimensions": Opt(ANY)}, name="a tensor name or object")))
_LAYER = AnyOf(STR, {"Name": Opt(STR), "LayerType": Opt(STR), "TacticName": Opt(STR),
                     "TacticValue": Opt(SCALAR), "Tactic": Opt(SCALAR), "Inputs": _TENSORS, "Outputs": _TENSORS},
               name="a layer name or a layer object")
LAYERS = AnyOf(ListOf(_LAYER),
               {"Layers": ListOf(_LAYER), "Bindings": _TENSORS, "I/O Tensors": _TENSORS},
               name="a layer-info export ({\"Layers\": [...]} or a list of layers)")
PROFILE = ListOf(AnyOf({"count": NUMBER},
                       {"name": STR, "timeMs": Opt(NUMBER), "averageMs": Opt(NUMBER), "medianMs": Opt(NUMBER),
                        "percentage": Opt(NUMBER)}, name="a profile entry"))

_KIND = {bool: BOOL, int: INT, float: NUMBER, str: STR, list: "a list", dict: "an object", type(None): "null"}


def _describe(v: Any) -> str:
    if isinstance(v, str):
        return f"the string {json.dumps(v[:40])}"
    if isinstance(v, (list, dict)):
        return _KIND[type(v)]
    return f"{_KIND.get(type(v), type(v).__name__)} {json.dumps(v)[:40]}" if not isinstance(v, bool) else json.dumps(v)


def _what(spec: Any) -> str:
    if isinstance(spec, str):
        return {NUMBER: "a finite number", INT: "an integer"}.get(spec, spec)
    if isinstance(spec, Opt):
        return _what(spec.spec)
    if isinstance(spec, AnyOf):
        return spec.name
    if isinstance(spec, ListOf):
        return "a list"
    return "an object"


def _fits(v: Any, spec: Any) -> bool:
    try:
        _check(v, spec, "")
        return True
    except _Bad:
        return False


class _Bad(Exception):
    pass


def _check(v: Any, spec: Any, where: str) -> None:
    if isinstance(spec, Opt):
        if v is not None:
            _check(v, spec.spec, where)
        return
    bad = False
    if spec == ANY:
        return
    if spec == BOOL:
        bad = not isinstance(v, bool)
    elif spec == INT:
        bad = isinstance(v, bool) or not isinstance(v, int)
    elif spec == NUMBER:
        bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
    elif spec == STR:
        bad = not isinstance(v, str)
    elif isinstance(spec, AnyOf):
        bad = not any(_fits(v, s) for s in spec.specs)
        if bad and len(spec.specs) and isinstance(v, (list, dict)):
            # the alternative of the same shape says best what is wrong inside it
            same = [s for s in spec.specs if (isinstance(s, ListOf) and isinstance(v, list))
                    or (isinstance(s, dict) and isinstance(v, dict))]
            # an object: the alternative whose required keys it has
            keyed = [s for s in same if isinstance(s, dict)
                     and all(k in v for k, x in s.items() if not isinstance(x, Opt))]
            for s in keyed or same:
                _check(v, s, where)
    elif isinstance(spec, ListOf):
        if not isinstance(v, list):
            bad = True
        else:
            for i, item in enumerate(v):
                _check(item, spec.spec, f"{where}[{i}]")
    elif isinstance(spec, MapOf):
        if not isinstance(v, dict):
            bad = True
        else:
            for k, item in v.items():
                _check(item, spec.spec, f"{where}.{k}" if where else json.dumps(k))
    elif isinstance(spec, dict):
        if not isinstance(v, dict):
            bad = True
        else:
            for k, s in spec.items():
                if k in v:
                    _check(v[k], s, f"{where}.{k}" if where else json.dumps(k))
                elif not isinstance(s, Opt):
                    raise _Bad(f"{where or 'the document'} has no {json.dumps(k)}")
    if bad:
        raise _Bad(f"{where or 'the document'} must be {_what(spec)}, not {_describe(v)}")


def check(doc: Any, spec: Spec, path: str) -> Any:
    """`doc` if it fits `spec`, else TrtlogError naming `path` and the first misfit."""
    try:
        _check(doc, spec, "")
    except _Bad as exc:
        raise TrtlogError(f"{path}: {exc}") from None
    except RecursionError:
        raise TrtlogError(f"{path}: JSON nested too deeply") from None
    return doc


def read_model(path: str, spec: Spec) -> Any:
    from .layerjson import read_json
    return check(read_json(path), spec, path)


# bundle file -> (its spec, the typed model built from the checked document, the Bundle field)
# (checked in this order: the first bad file is the one an error names)
MODELS: List[Tuple[str, Spec, Any, str]] = [("bench.json", BENCH, M.Bench, "bench"), ("env.json", ENV, M.Env, "env"),
                                            ("config.json", CONFIG, M.Config, "config"),
                                            ("status.json", STATUS, M.Status, "status"),
                                            ("validate.json", VALIDATE, M.Validation, "validation")]


def read_bundle(directory: str) -> M.Bundle:
    """The typed JSON documents of a bundle directory (each checked against its spec; None where absent)."""
    import os
    docs = {}
    for name, spec, model, key in MODELS:
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            docs[key] = model.from_doc(read_model(p, spec))
    return M.Bundle(**docs)
