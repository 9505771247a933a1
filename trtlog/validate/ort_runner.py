"""Reference outputs from ONNX Runtime (CPU execution provider).

For --per-layer every node output is added as a graph output (with the onnx package), so one run
yields the intermediate tensors too; their names are the ONNX tensor names, which TensorRT's ONNX parser
keeps for the layers it creates from those nodes.

Also runnable as a module, to compute references on a Python that has ONNX Runtime but no TensorRT:
  python -m trtlog.validate.ort_runner MODEL.onnx OUT.npz [--random N | --inputs FILE.npz]
      [--seed S] [--shapes NAME:DxD,..] [--batch N] [--per-layer]
The file it writes is what `trtlog validate --reference` reads.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..errors import TrtlogError
from ..vocab import parse_shapes
from . import inputs as I

ORT_MISSING = "ONNX Runtime is not installed: pip install 'trtlog[trt]'"


def import_ort():
    try:
        import onnxruntime
    except ImportError:
        raise TrtlogError(ORT_MISSING) from None
    return onnxruntime


def graph_outputs(model) -> List[str]:
    return [o.name for o in model.graph.output]


def intermediate_names(model) -> List[str]:
    """Node outputs in graph (topological) order, graph outputs included, each once. Values computed
    from weights alone (Constant nodes, Identity/Cast/Transpose of initializers, as exporters emit
    them) are left out: they do not depend on the input, so there is nothing to learn from them."""
    const = {t.name for t in model.graph.initializer}
    finals = set(graph_outputs(model))
    seen, out = set(), []
    for node in model.graph.node:
        ins = [i for i in node.input if i]
        constant = all(i in const for i in ins)
        for name in node.output:
            if not name:
                continue
            if constant:
                const.add(name)
                if name not in finals:
                    continue
            if name not in seen:
                seen.add(name)
                out.append(name)
    return out


class OrtRunner:
    def __init__(self, model_path, intermediates: bool = False, threads: Optional[int] = None):
        ort = import_ort()
        self.path = Path(model_path)
        if not self.path.is_file():
            raise TrtlogError(f"ONNX model not found: {model_path}")
        self.version = ort.__version__
        model = I.load_onnx(self.path)
        self.specs = I.input_specs(model)
        self.outputs = graph_outputs(model)
        self.order = intermediate_names(model)
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = int(threads)
        # graph optimizations fuse nodes and would drop the intermediates we ask for
        if intermediates:
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self._tmp = None
        try:
            if intermediates:
                source = self._with_all_outputs()
            else:
                source = str(self.path)
            self.session = ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])
        except TrtlogError:
            raise
        except Exception as exc:
            raise TrtlogError(f"ONNX Runtime could not load {self.path.name}: {str(exc).splitlines()[0]}") from None
        self.available = [o.name for o in self.session.get_outputs()]

    def _with_all_outputs(self) -> str:
        import onnx
        model = onnx.load(str(self.path))   # with external data: the model is re-saved below
        have = set(graph_outputs(model))
        for name in intermediate_names(model):
            if name not in have:
                model.graph.output.append(onnx.ValueInfoProto(name=name))
        self._tmp = tempfile.TemporaryDirectory(prefix="trtlog-ort-")
        out = Path(self._tmp.name) / "all_outputs.onnx"
        large = model.ByteSize() > 1_800_000_000
        onnx.save(model, str(out), save_as_external_data=large)
        return str(out)

    def run(self, feeds: Dict[str, np.ndarray], names: Optional[Sequence[str]] = None) -> Dict[str, np.ndarray]:
        names = list(names) if names is not None else self.available
        try:
            values = self.session.run(names, {s.name: feeds[s.name] for s in self.specs})
        except KeyError as exc:
            raise TrtlogError(f"no data for model input {exc.args[0]!r}") from None
        except Exception as exc:
            raise TrtlogError(f"ONNX Runtime failed: {str(exc).splitlines()[0]}") from None
        return {n: np.asarray(v) for n, v in zip(names, values)}

    def close(self) -> None:
        self.session = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m trtlog.validate.ort_runner",
                                 description="Write input sets and ONNX Runtime reference outputs to an .npz")
    ap.add_argument("model")
    ap.add_argument("out")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--random", type=int, default=None)
    src.add_argument("--inputs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shapes")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--per-layer", action="store_true", help="also store every intermediate tensor of set 0")
    args = ap.parse_args(argv)
    try:
        write_reference(args.model, args.out, random=args.random, inputs_file=args.inputs, seed=args.seed,
                        shapes=parse_shapes(args.shapes), batch=args.batch, per_layer=args.per_layer)
    except TrtlogError as exc:
        print(f"trtlog: error: {exc}", file=sys.stderr)
        return exc.code
    return 0


def write_reference(model, out, random=None, inputs_file=None, seed=0, shapes=None, batch=None,
                    per_layer=False) -> Path:
    runner = OrtRunner(model, intermediates=per_layer)
    try:
        if inputs_file:
            sets, _, _ = I.read_sets(inputs_file)
            I.check_inputs(sets, runner.specs)
        else:
            resolved = {s.name: I.resolve_shape(s, shapes or {}, batch=batch) for s in runner.specs}
            sets = I.random_sets(runner.specs, resolved, random or 1, seed)
        outs = []
        for i, feeds in enumerate(sets):
            names = runner.available if (per_layer and i == 0) else runner.outputs
            outs.append(runner.run(feeds, names))
        meta = {"model": str(model), "seed": seed, "onnxruntime": runner.version,
                "graph_outputs": runner.outputs, "order": runner.order if per_layer else [],
                "source": "npz" if inputs_file else "random"}
        return I.write_sets(out, sets, outs, meta)
    finally:
        runner.close()


if __name__ == "__main__":
    sys.exit(main())
