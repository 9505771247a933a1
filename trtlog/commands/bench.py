"""`trtlog bench ENGINE_OR_BUNDLE`: CUDA-event timing with trtexec's quantities and names."""
from __future__ import annotations

import json

import click

from ..errors import EXIT_OK

EPILOG = """Reports Throughput (qps), Latency, Enqueue Time, H2D Latency, GPU Compute Time and D2H Latency
(min/max/mean/median/p90/p95/p99, ms) as trtexec's performance summary does, and writes them to
<bundle>/bench.json (or --output) for `trtlog diff`. Each iteration copies the next of --rotate pinned
input sets of random non-zero data into the engine's input buffers (bound once, before timing).
Exit codes: 0 ok; 2 bad input or missing TensorRT/pycuda."""


@click.command("bench", epilog=EPILOG)
@click.argument("engine_or_bundle", type=click.Path())
@click.option("--iterations", type=int, default=500, show_default=True, help="Timed iterations (at least).")
@click.option("--warmup", type=int, default=20, show_default=True, help="Warm-up iterations (at least).")
@click.option("--warmup-ms", type=float, default=200.0, show_default=True,
              help="Warm-up wall time (at least), like trtexec --warmUp.")
@click.option("--duration", type=float, default=0.0, show_default=True,
              help="Keep timing for at least this many seconds (trtexec --duration).")
@click.option("--batch", type=int, default=None, help="Leading dimension for dynamic-batch inputs.")
@click.option("--shapes", default=None, help="Input shapes, trtexec syntax: in:1x3x224x224,...")
@click.option("--inputs", "inputs_file", type=click.Path(dir_okay=False), help="Input sets (.npz) to rotate.")
@click.option("--model", type=click.Path(dir_okay=False), default=None,
              help="ONNX model, for the value ranges of integer inputs (default: the bundle's model).")
@click.option("--rotate", type=int, default=2, show_default=True,
              help="Input sets copied in turn into the input buffers (>= 2).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--cuda-graph", is_flag=True, help="Capture the enqueue in CUDA graphs (like trtexec --useCudaGraph): "
              "times the kernels without per-kernel launch gaps.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write bench.json here (default: into the bundle; nowhere for a bare engine).")
@click.option("--force", is_flag=True, help="Overwrite an existing bench.json.")
@click.option("--device", type=int, default=0, show_default=True, help="CUDA device index.")
def command(engine_or_bundle, iterations, warmup, warmup_ms, duration, batch, shapes, inputs_file, model, rotate,
            seed, cuda_graph, fmt, output, force, device):
    """Time a TensorRT engine with CUDA events (warm-up, rotated inputs, trtexec statistics)."""
    from ..errors import TrtlogError
    from ..validate.accuracy import now, resolve_target, result_path, write_result
    from ..validate.bench import format_summary, run_bench
    from ..vocab import parse_shapes

    if iterations < 1 or warmup < 0 or rotate < 2:
        raise TrtlogError("--iterations >= 1, --warmup >= 0 and --rotate >= 2 are required")
    engine_path, bundle = resolve_target(engine_or_bundle)
    target = result_path(bundle, output, "bench.json", force)
    shape_map = parse_shapes(shapes)

    from ..validate.trt_runner import CudaContext, EngineRunner, require_runtime
    trt, _ = require_runtime()
    specs = _specs(model, bundle)
    given = None
    if inputs_file:
        from ..validate.inputs import read_sets
        given, _, _ = read_sets(inputs_file)
    ctx = CudaContext(device)
    try:
        with EngineRunner(engine_path, cuda_ctx=ctx) as runner:
            if given and not shape_map:
                shape_map = {t.name: tuple(given[0][t.name].shape) for t in runner.inputs if t.name in given[0]}
            run_shapes = runner.resolve_shapes(shape_map, batch)
            shapes = ", ".join(f"{k}:" + "x".join(map(str, v)) for k, v in run_shapes.items())
            click.echo(f"trtlog: timing {engine_path} ({shapes})", err=True)
            result = run_bench(runner, run_shapes, iterations=iterations, warmup=warmup, warmup_ms=warmup_ms,
                               duration_s=duration, rotate=rotate, seed=seed, specs=specs, given=given,
                               cuda_graph=cuda_graph)
            api = runner.api_name
            gpu = ctx.name
    finally:
        ctx.close()
    doc = {"schema": "trtlog.bench/1", "engine": str(engine_path),
           "bundle": str(bundle) if bundle is not None else None}
    doc.update(result)
    doc["runtime"] = {"tensorrt": str(getattr(trt, "__version__", "")), "api": api, "gpu": gpu,
                      "timer": "CUDA events (pycuda)"}
    doc["created"] = now()
    if target is not None:
        write_result(target, doc)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        click.echo(format_summary(doc))
        click.echo(f"(TensorRT {doc['runtime']['tensorrt']}, {api}{' in CUDA graphs' if cuda_graph else ''}, {gpu}; "
                   f"{doc['iterations']} iterations after {doc['warmup_iterations']} warm-up, "
                   f"{rotate} rotating input sets)")
    if target is not None:
        click.echo(f"wrote {target}", err=True)
    return EXIT_OK


def _specs(model, bundle):
    """ONNX input specs for value ranges (embedding indices); None when there is no readable model."""
    from pathlib import Path

    from ..errors import TrtlogError
    from ..validate.accuracy import model_from_bundle
    if model and not Path(model).is_file():
        raise TrtlogError(f"ONNX model not found: {model}")
    path = Path(model) if model else (model_from_bundle(bundle) if bundle is not None else None)
    if path is None:
        return None
    try:
        from ..validate.inputs import input_specs, load_onnx
        return input_specs(load_onnx(path))
    except Exception:   # the onnx package is optional for bench: fall back to generic ranges
        return None
