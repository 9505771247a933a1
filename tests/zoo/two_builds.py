"""Several TensorRT-RTX builds in one process through one logger: what an application that builds
several engines (or a notebook) leaves in its log. Uses trtlog's capturing logger and bundle
files, so the log has the same envelope as a `trtlog build` log. With --load each engine is then
deserialized in the same process, as an application would (on a host without a CUDA driver that
fails: the log then holds a build that worked followed by a runtime failure). With --timing-cache FILE
every build config is given the timing cache read from FILE, as an application ported from TensorRT
does (TensorRT-RTX keeps the calls as no-ops, and says so when the file is not a timing cache).

    python tests/zoo/two_builds.py [--load] [--timing-cache FILE] A.onnx [B.onnx ...] OUT_DIR
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trtlog.run.bundle import Bundle, collect_env, gpu_info  # noqa: E402
from trtlog.run.logger import LogSink, make_logger  # noqa: E402
from trtlog.run.rtx import import_rtx  # noqa: E402


def main(models: List[str], out, load: bool = False, timing_cache: Optional[str] = None) -> List[int]:
    trt = import_rtx()
    bundle = Bundle(out, force=True).create()
    sink = LogSink("V")
    sink.attach(bundle / "build.log")
    logger = make_logger(trt, sink)
    builder = trt.Builder(logger)
    builds, codes = [], []
    for model in models:
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        parsed = parser.parse_from_file(str(model))
        config = builder.create_builder_config()
        config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
        if timing_cache is not None:
            with warnings.catch_warnings():       # TensorRT-RTX's own DeprecationWarning: the calls are no-ops
                warnings.simplefilter("ignore", DeprecationWarning)
                config.set_timing_cache(config.create_timing_cache(Path(timing_cache).read_bytes()), False)
        t0 = time.perf_counter()
        engine = builder.build_serialized_network(network, config) if parsed else None
        secs = time.perf_counter() - t0
        ok = engine is not None
        build = {"model": str(model), "ok": ok, "build_seconds": round(secs, 3),
                 "engine_bytes": int(engine.nbytes) if ok else 0}
        if ok and load:
            build["deserialized"] = trt.Runtime(logger).deserialize_cuda_engine(engine) is not None
            ok = build["deserialized"]
        codes.append(0 if ok else 1)
        builds.append(build)
    sink.close()
    argv = ["tests/zoo/two_builds.py"] + (["--load"] if load else []) + \
        (["--timing-cache", str(timing_cache)] if timing_cache else []) + [str(m) for m in models]
    bundle.write_json("config.json", {"argv": argv, "backend": "rtx", "builds": len(models), "load": load,
                                      "timing_cache": timing_cache, "profiling_verbosity": "DETAILED"})
    bundle.write_json("env.json", collect_env(str(trt.__version__), "python", gpu_info(), backend="rtx"))
    failed = [b["model"] for b, c in zip(builds, codes) if c]
    error = ("" if not failed else f"engine of {failed[0]} did not deserialize" if load
             else f"{failed[0]} did not build")
    bundle.write_status(not failed, max(codes), error, None, 0, producer="python", backend="rtx",
                        builds=builds, warnings=sink.counts.get("W", 0),
                        errors=sink.counts.get("E", 0) + sink.counts.get("F", 0))
    return codes


if __name__ == "__main__":
    args = sys.argv[1:]
    load = "--load" in args
    args = [a for a in args if a != "--load"]
    cache = None
    if "--timing-cache" in args:
        i = args.index("--timing-cache")
        cache = args[i + 1] if i + 1 < len(args) else sys.exit(__doc__)
        del args[i:i + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    sys.exit(max(main(args[:-1], args[-1], load, cache)))
