"""`trtlog validate MODEL.onnx ENGINE_OR_BUNDLE`: does the engine still compute the model?"""
from __future__ import annotations

import json
import math

import click

from ..errors import EXIT_FAIL, EXIT_OK

EPILOG = """Inputs: --random N (default 1 set, seeded, never zeros), --inputs FILE.npz ({input name: array}),
or --reference FILE.npz (inputs and expected outputs written by `python -m trtlog.validate.ort_runner`,
for a machine whose TensorRT Python lacks ONNX Runtime). An output passes when at most --max-outside
of its elements lie outside |engine - ref| <= atol + rtol*|ref|, it has no NaN/Inf the reference lacks,
and it meets --min-cosine / --min-argmax when given. The result is written to <bundle>/validate.json
(or --output). Exit codes: 0 PASS; 1 FAIL; 2 bad input or missing TensorRT/pycuda/ONNX Runtime."""


@click.command("validate", epilog=EPILOG)
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("engine_or_bundle", type=click.Path())
@click.option("--inputs", "inputs_file", type=click.Path(dir_okay=False), help="Input sets from an .npz.")
@click.option("--random", "random_sets", type=int, default=None, help="N random input sets (default 1).")
@click.option("--reference", type=click.Path(dir_okay=False), help="Precomputed inputs + reference outputs (.npz).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--shapes", default=None, help="Input shapes for dynamic dims, trtexec syntax: in:1x3x224x224,...")
@click.option("--batch", type=int, default=None, help="Leading dimension for dynamic-batch inputs.")
@click.option("--atol", type=float, default=1e-3, show_default=True)
@click.option("--rtol", type=float, default=1e-3, show_default=True)
@click.option("--max-outside", type=float, default=0.0, show_default=True,
              help="Share of elements (0..1) allowed outside tolerance.")
@click.option("--min-cosine", type=float, default=None, help="Fail an output whose cosine similarity is lower.")
@click.option("--min-argmax", type=float, default=None,
              help="Fail a classifier-shaped output whose argmax agreement (0..1) is lower.")
@click.option("--per-layer", is_flag=True, help="Also build a debug engine with intermediate outputs and "
              "find the first layer whose error jumps (marking outputs can change fusions).")
@click.option("--precision", "precisions", multiple=True, type=click.Choice(["fp16", "int8", "bf16"]),
              help="--per-layer without a bundle config: precision flags for the debug build.")
@click.option("--top", type=int, default=10, show_default=True, help="--per-layer: tensors listed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write validate.json here (default: into the bundle; nowhere for a bare engine).")
@click.option("--force", is_flag=True, help="Overwrite an existing validate.json.")
@click.option("--device", type=int, default=0, show_default=True, help="CUDA device index.")
def command(model, engine_or_bundle, inputs_file, random_sets, reference, seed, shapes, batch, atol, rtol,
            max_outside, min_cosine, min_argmax, per_layer, precisions, top, fmt, output, force, device):
    """Compare a TensorRT engine with ONNX Runtime, output by output (and layer by layer)."""
    from ..errors import TrtlogError
    from ..validate.accuracy import resolve_target, result_path, validate_engine, write_result
    from ..vocab import parse_shapes

    if random_sets is not None and random_sets < 1:
        raise TrtlogError("--random needs at least 1 input set")
    if not 0.0 <= max_outside <= 1.0:
        raise TrtlogError("--max-outside is a share between 0 and 1")
    _, bundle = resolve_target(engine_or_bundle)
    target = result_path(bundle, output, "validate.json", force)   # refuse before the (slow) work
    doc = validate_engine(model, engine_or_bundle, inputs_file=inputs_file, random=random_sets,
                          reference=reference, seed=seed, shapes=parse_shapes(shapes), batch=batch, atol=atol,
                          rtol=rtol, max_outside=max_outside, min_argmax=min_argmax, min_cosine=min_cosine,
                          per_layer=per_layer, top=top, device=device, precisions=precisions,
                          progress=lambda m: click.echo(f"trtlog: {m}", err=True))
    if target is not None:
        write_result(target, doc)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        click.echo(render_text(doc))
    if target is not None:
        click.echo(f"wrote {target}", err=True)
    return EXIT_OK if doc["passed"] else EXIT_FAIL


def _g(v, spec=".3g") -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return format(v, spec)


def render_text(doc: dict) -> str:
    c = doc["criteria"]
    src = doc["inputs"]
    lines = [f"engine  {doc['engine']}", f"model   {doc['model']}",
             f"inputs  {src['source']}, {src['sets']} set(s), shapes "
             + ", ".join(f"{k}:{'x'.join(map(str, v))}" for k, v in src.get("shapes", {}).items()),
             f"rule    |engine - ref| <= {c['atol']:g} + {c['rtol']:g}*|ref|, "
             f"at most {100 * c['max_outside']:g}% outside"
             + (f", cosine >= {c['min_cosine']:g}" if c.get("min_cosine") is not None else "")
             + (f", argmax >= {c['min_argmax']:g}" if c.get("min_argmax") is not None else ""),
             ""]
    head = f"{'output':<24} {'shape':<16} {'max abs':>9} {'mean abs':>9} {'rel L2':>9} {'cosine':>9} " \
           f"{'outside':>8} {'NaN/Inf':>8} {'argmax':>7}  verdict"
    lines += [head, "-" * len(head)]
    for r in doc["outputs"]:
        if "count" not in r:
            lines.append(f"{r['name']:<24} {'':<16} FAIL: {'; '.join(r['reasons'])}")
            continue
        nf = r["engine_nonfinite"]
        lines.append(f"{r['name'][:24]:<24} {'x'.join(map(str, r['shape']))[:16]:<16} {_g(r['max_abs_err']):>9} "
                     f"{_g(r['mean_abs_err']):>9} {_g(r['rel_l2']):>9} {_g(r['cosine'], '.6f'):>9} "
                     f"{_g(100 * r['outside_tol'], '.3g') + '%':>8} {str(nf['nan']) + '/' + str(nf['inf']):>8} "
                     f"{_g(r['argmax_agreement'], '.3f'):>7}  {'PASS' if r['passed'] else 'FAIL'}")
        for why in r["reasons"]:
            lines.append(f"{'':<24} - {why}")
    pl = doc.get("per_layer")
    if pl:
        lines.append("")
        if "error" in pl:
            lines.append(f"per-layer: failed: {pl['error']}")
        else:
            lines.append(f"per-layer: {pl['compared']} intermediate tensors compared "
                         f"({pl['marked']} marked as outputs)")
            lines.append(f"warning: {pl['warning']}")
            for n in pl.get("notes", []):
                lines.append(f"note: {n}")
            j = pl.get("first_jump")
            if j:
                ratio = f"{j['ratio']:.3g}x the worst before it" if j.get("ratio") else "first tensor above the floor"
                lines.append(f"first jump: {j['name']} (layer {j.get('layer') or '?'}): rel L2 {_g(j['rel_l2'])}, "
                             f"{ratio} (#{j['index'] + 1} in graph order)")
            else:
                lines.append("first jump: none (no tensor's error rises 10x above the errors before it)")
            lines.append(f"{'tensor':<40} {'layer type':<14} {'rel L2':>9} {'max abs':>9} {'cosine':>9}")
            for r in pl["ranked"]:
                lines.append(f"{r['name'][:40]:<40} {str(r.get('layer_type', ''))[:14]:<14} {_g(r['rel_l2']):>9} "
                             f"{_g(r.get('max_abs_err')):>9} {_g(r.get('cosine'), '.6f'):>9}")
    rt = doc["runtime"]
    lines += ["", f"TensorRT {rt['tensorrt']} ({rt['api']}) on {rt['gpu']}; ONNX Runtime {rt['onnxruntime']}",
              f"{doc['status']}: {sum(r['passed'] for r in doc['outputs'])}/{len(doc['outputs'])} outputs pass"]
    return "\n".join(lines)
