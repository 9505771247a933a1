"""`trtlog build MODEL.onnx`: build an engine (TensorRT Python API, TensorRT-RTX, or trtexec) and
write a bundle directory: build.log, engine.plan, layers.json, config.json, env.json, timing.cache,
status.json. --backend auto takes TensorRT where it is installed, else TensorRT-RTX (which builds
on the CPU, no GPU needed). Exit 0 built, 1 build failed (the bundle is still written), 2 usage /
refused option / library missing, 130 interrupted (the partial log is kept)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_FAIL, TrtlogError
from ..run.options import SHAPE_KINDS, BuildSpec, parse_layer_precisions, parse_shape_sets, parse_size
from ..run.progress import Progress


def _note(msg: str) -> None:
    click.echo(f"trtlog: note: {msg}", err=True)


def spec_from_options(model, o) -> BuildSpec:
    from ..run.rtx import parse_compute_capabilities

    precisions = [p for p in ("fp16", "bf16", "int8") if o.get(p)]
    sets = {k: parse_shape_sets(o.get(k)) for k in SHAPE_KINDS}
    n = max(len(v) for v in sets.values())
    first = {k: (v[0] if v else {}) for k, v in sets.items()}
    extra = [{k: (v[i] if i < len(v) else {}) for k, v in sets.items()} for i in range(1, n)]
    return BuildSpec(
        model=str(model), precisions=precisions, best=o.get("best", False),
        strongly_typed=o.get("strongly_typed", False),
        layer_precisions=parse_layer_precisions(o.get("layer_precision")),
        precision_constraints=o.get("precision_constraints") or "obey",
        shapes=first["shapes"], min_shapes=first["min_shapes"], opt_shapes=first["opt_shapes"],
        max_shapes=first["max_shapes"], extra_profiles=extra,
        workspace=parse_size(o["workspace"]) if o.get("workspace") else None,
        tactic_sources=o.get("tactic_sources"), builder_opt_level=o.get("builder_opt_level"),
        timing_cache=o.get("timing_cache"), calib_data=o.get("calib_data"), calib_cache=o.get("calib_cache"),
        calib_batches=o.get("calib_batches"), verbose=o.get("verbose", True),
        compute_capabilities=parse_compute_capabilities(o.get("compute_capability")),
        runtime_cache=o.get("runtime_cache"), weight_streaming=o.get("weight_streaming", False))


def resolve_backend(backend: str, trtexec) -> str:
    """auto: TensorRT where it imports, else TensorRT-RTX (neither: the TensorRT install hint)."""
    if trtexec:
        if backend not in ("auto", "trtexec"):
            raise TrtlogError(f"--trtexec and --backend {backend} contradict each other")
        return "trtexec"
    if backend != "auto":
        return backend
    import importlib.util
    for name, module in (("tensorrt", "tensorrt"), ("rtx", "tensorrt_rtx")):
        if importlib.util.find_spec(module) is not None:
            return name
    return "tensorrt"    # python_build then says how to install it


def default_out(model) -> Path:
    return Path(Path(model).stem + ".trtlog")


@click.command("build", help=__doc__)
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--out", type=click.Path(file_okay=False), help="bundle directory (default: MODEL.trtlog)")
@click.option("--force", is_flag=True, help="overwrite the bundle files in an existing bundle directory")
@click.option("--backend", type=click.Choice(["auto", "tensorrt", "rtx", "trtexec"]), default="auto",
              show_default=True, help="auto = TensorRT if installed, else TensorRT-RTX")
@click.option("--fp16", is_flag=True, help="allow FP16 kernels (weak typing; not in TensorRT 11)")
@click.option("--bf16", is_flag=True, help="allow BF16 kernels (TensorRT >= 9; not in 11)")
@click.option("--int8", is_flag=True, help="allow INT8 kernels (with --calib-data for real scales)")
@click.option("--best", is_flag=True, help="allow every precision (FP16+INT8, BF16 where available)")
@click.option("--strongly-typed", is_flag=True, help="strongly typed network (TensorRT >= 10; always on in 11)")
@click.option("--layer-precision", multiple=True, metavar="NAME=TYPE",
              help="keep a layer (exact name or glob) in a precision, e.g. '/head/*=fp32'; repeatable")
@click.option("--precision-constraints", type=click.Choice(["obey", "prefer", "none"]), default=None,
              help="how strictly --layer-precision is honoured (default: obey)")
@click.option("--shapes", multiple=True, metavar="NAME:DIMS",
              help="fixed shapes (min=opt=max), e.g. x:1x3x224x224; an input named again starts the next "
                   "optimization profile (same for --min/--opt/--max-shapes)")
@click.option("--min-shapes", multiple=True, metavar="NAME:DIMS", help="optimization profile minimum")
@click.option("--opt-shapes", multiple=True, metavar="NAME:DIMS", help="optimization profile optimum")
@click.option("--max-shapes", multiple=True, metavar="NAME:DIMS", help="optimization profile maximum")
@click.option("--workspace", metavar="SIZE", help="workspace memory pool limit (MiB, or 512K / 64MiB / 2G)")
@click.option("--tactic-sources", metavar="SPEC",
              help="trtexec syntax: -CUDNN,+JIT_CONVOLUTIONS, or an exact list EDGE_MASK_CONVOLUTIONS,JIT_CONVOLUTIONS")
@click.option("--builder-opt-level", type=int, help="builder optimization level 0..5 (TensorRT >= 8.6)")
@click.option("--timing-cache", type=click.Path(dir_okay=False), metavar="FILE",
              help="timing cache to load and update; the TensorRT version and GPU are added to the name")
@click.option("--calib-data", type=click.Path(file_okay=False), metavar="DIR",
              help="folder of .npy/.npz batches for INT8 entropy calibration (needs pycuda)")
@click.option("--calib-cache", type=click.Path(dir_okay=False), metavar="FILE", help="reuse a calibration cache")
@click.option("--calib-batches", type=int, metavar="N", help="use at most N calibration batches")
@click.option("--compute-capability", multiple=True, metavar="CC[,CC]",
              help="TensorRT-RTX target GPUs, e.g. 8.6,8.9 or 12.0 or current (default: its portable set)")
@click.option("--runtime-cache", type=click.Path(dir_okay=False), metavar="FILE",
              help="TensorRT-RTX runtime cache of JIT-compiled kernels, loaded and written where a GPU is present")
@click.option("--weight-streaming", is_flag=True, help="TensorRT-RTX: build with BuilderFlag.WEIGHT_STREAMING")
@click.option("--verbose/--no-verbose", default=True, show_default=True, help="capture VERBOSE messages")
@click.option("--progress/--no-progress", default=None, help="live progress line (default: when stderr is a terminal)")
@click.option("--explain", is_flag=True, help="print the rule-engine explanation at the end")
@click.option("--report", type=click.Path(dir_okay=False), metavar="FILE", help="write the HTML report")
@click.option("--trtexec", "trtexec", is_flag=False, flag_value="trtexec", default=None, metavar="[PATH]",
              help="run trtexec (from PATH, or the given binary) with the equivalent flags instead of the Python "
                   "API; put MODEL before it (a bare --trtexec takes the next word as its path)")
def command(model, out, force, progress, explain, report, trtexec, backend, **opts):
    spec = spec_from_options(model, opts)
    backend = resolve_backend(backend, trtexec)
    rtx_only = [o for o, v in (("--compute-capability", spec.compute_capabilities),
                               ("--runtime-cache", spec.runtime_cache),
                               ("--weight-streaming", spec.weight_streaming)) if v]
    if rtx_only and backend != "rtx":
        raise TrtlogError(f"{rtx_only[0]} is a TensorRT-RTX option: add --backend rtx")
    out = Path(out) if out else default_out(model)
    prog = Progress(enabled=progress)
    argv = ["trtlog"] + sys.argv[1:]
    if backend == "trtexec":
        from ..run.trtexec import trtexec_build
        result = trtexec_build(spec, out, None if trtexec in (None, "trtexec") else trtexec, force, argv, prog, _note)
    elif backend == "rtx":
        from ..run.rtx import rtx_build
        result = rtx_build(spec, out, force, argv, prog, _note,
                           precision_constraints_given=opts.get("precision_constraints") is not None)
    else:
        from ..run.builder import python_build
        result = python_build(spec, out, force, argv, prog, _note)

    if result.ok:
        secs = "? s" if result.build_seconds is None else (
            f"{result.build_seconds:.2f} s" if result.build_seconds < 10 else f"{result.build_seconds:.1f} s")
        click.echo(f"built {Path(spec.model).name} with {_library(result.bundle)} in {secs}: "
                   f"engine {result.engine_bytes / 2 ** 20:.2f} MiB, "
                   f"{result.counts.get('W', 0)} warnings -> {result.bundle}")
    else:
        click.echo(f"trtlog: build failed: {result.error} (bundle: {result.bundle})", err=True)
    if explain or report:
        _explain(result.bundle, explain, report, force)
    return 0 if result.ok else result.exit_code or EXIT_FAIL


def _library(bundle: Path) -> str:
    """'TensorRT-RTX 1.7.1.116' / 'TensorRT 8.6.0' from the bundle's env.json."""
    import json
    try:
        env = json.loads((bundle / "env.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "?"
    if env.get("backend") == "rtx":
        return f"TensorRT-RTX {env.get('tensorrt_rtx', '?')}"
    return f"{'trtexec' if env.get('backend') == 'trtexec' else 'TensorRT'} {env.get('tensorrt', '?')}"


def _explain(bundle: Path, explain: bool, report, force: bool = False) -> None:
    """Explanation and report from the bundle just written; a failure here is reported but does
    not change the build's exit status."""
    try:
        import trtlog

        from ..rules import run_rules
        bl = trtlog.load(str(bundle))
        findings = run_rules(bl)
        if explain:
            from ..rules.render import render_text
            text = render_text(bl, findings)
            from ..output import write
            write(bundle / "explain.txt", text if text.endswith("\n") else text + "\n", force=True)
            click.echo(text.rstrip("\n"))
        if report:
            from ..report import render_report
            path = render_report(bl, findings, Path(report), force=force, inputs=list(bl.facts.sources))
            click.echo(f"report: {path}")
    except TrtlogError as exc:
        click.echo(f"trtlog: explain: {exc}", err=True)
    except Exception as exc:   # noqa: BLE001  (the build result stands; say why there is no explanation)
        click.echo(f"trtlog: explain failed: {type(exc).__name__}: {exc}", err=True)
