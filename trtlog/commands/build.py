"""`trtlog build MODEL.onnx`: build a TensorRT engine (Python API, or trtexec with --trtexec) and
write a bundle directory: build.log, engine.plan, layers.json, config.json, env.json, timing.cache,
status.json. Exit 0 built, 1 build failed (the bundle is still written), 2 usage / TensorRT
missing, 130 interrupted (the partial log is kept)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_FAIL, TrtlogError
from ..run.options import BuildSpec, parse_layer_precisions, parse_shapes, parse_size
from ..run.progress import Progress


def _note(msg: str) -> None:
    click.echo(f"trtlog: note: {msg}", err=True)


def spec_from_options(model, o) -> BuildSpec:
    precisions = [p for p in ("fp16", "bf16", "int8") if o.get(p)]
    return BuildSpec(
        model=str(model), precisions=precisions, best=o.get("best", False),
        strongly_typed=o.get("strongly_typed", False),
        layer_precisions=parse_layer_precisions(o.get("layer_precision")),
        precision_constraints=o.get("precision_constraints") or "obey",
        shapes=parse_shapes(o.get("shapes")), min_shapes=parse_shapes(o.get("min_shapes")),
        opt_shapes=parse_shapes(o.get("opt_shapes")), max_shapes=parse_shapes(o.get("max_shapes")),
        workspace=parse_size(o["workspace"]) if o.get("workspace") else None,
        tactic_sources=o.get("tactic_sources"), builder_opt_level=o.get("builder_opt_level"),
        timing_cache=o.get("timing_cache"), calib_data=o.get("calib_data"), calib_cache=o.get("calib_cache"),
        calib_batches=o.get("calib_batches"), verbose=o.get("verbose", True))


def default_out(model) -> Path:
    return Path(Path(model).stem + ".trtlog")


@click.command("build", help=__doc__)
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--out", type=click.Path(file_okay=False), help="bundle directory (default: MODEL.trtlog)")
@click.option("--force", is_flag=True, help="overwrite the bundle files in an existing bundle directory")
@click.option("--fp16", is_flag=True, help="allow FP16 kernels (weak typing; not in TensorRT 11)")
@click.option("--bf16", is_flag=True, help="allow BF16 kernels (TensorRT >= 9; not in 11)")
@click.option("--int8", is_flag=True, help="allow INT8 kernels (with --calib-data for real scales)")
@click.option("--best", is_flag=True, help="allow every precision (FP16+INT8, BF16 where available)")
@click.option("--strongly-typed", is_flag=True, help="strongly typed network (TensorRT >= 10; always on in 11)")
@click.option("--layer-precision", multiple=True, metavar="NAME=TYPE",
              help="keep a layer (exact name or glob) in a precision, e.g. '/head/*=fp32'; repeatable")
@click.option("--precision-constraints", type=click.Choice(["obey", "prefer", "none"]), default="obey",
              show_default=True, help="how strictly --layer-precision is honoured")
@click.option("--shapes", multiple=True, metavar="NAME:DIMS", help="fixed shapes (min=opt=max), e.g. x:1x3x224x224")
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
@click.option("--verbose/--no-verbose", default=True, show_default=True, help="capture VERBOSE messages")
@click.option("--progress/--no-progress", default=None, help="live progress line (default: when stderr is a terminal)")
@click.option("--explain", is_flag=True, help="print the rule-engine explanation at the end")
@click.option("--report", type=click.Path(dir_okay=False), metavar="FILE", help="write the HTML report")
@click.option("--trtexec", "trtexec", is_flag=False, flag_value="trtexec", default=None, metavar="[PATH]",
              help="run trtexec (from PATH, or the given binary) with the equivalent flags instead of the Python "
                   "API; put MODEL before it (a bare --trtexec takes the next word as its path)")
def command(model, out, force, progress, explain, report, trtexec, **opts):
    spec = spec_from_options(model, opts)
    out = Path(out) if out else default_out(model)
    prog = Progress(enabled=progress)
    argv = ["trtlog"] + sys.argv[1:]
    if trtexec:
        from ..run.trtexec import trtexec_build
        result = trtexec_build(spec, out, trtexec, force, argv, prog, _note)
    else:
        from ..run.builder import python_build
        result = python_build(spec, out, force, argv, prog, _note)

    if result.ok:
        secs = f"{result.build_seconds:.1f} s" if result.build_seconds is not None else "? s"
        click.echo(f"built {Path(spec.model).name} in {secs}: engine {result.engine_bytes / 2 ** 20:.2f} MiB, "
                   f"{result.counts.get('W', 0)} warnings -> {result.bundle}")
    else:
        click.echo(f"trtlog: build failed: {result.error} (bundle: {result.bundle})", err=True)
    if explain or report:
        _explain(result.bundle, explain, report, force)
    return 0 if result.ok else result.exit_code or EXIT_FAIL


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
            path = render_report(bl, findings, Path(report), force=force, inputs=bl.meta.get("sources", []))
            click.echo(f"report: {path}")
    except TrtlogError as exc:
        click.echo(f"trtlog: explain: {exc}", err=True)
    except Exception as exc:   # noqa: BLE001  (the build result stands; say why there is no explanation)
        click.echo(f"trtlog: explain failed: {type(exc).__name__}: {exc}", err=True)
