"""Turn the bundles that came back from the GPU machine into test fixtures (run here, not there).

  python3 gpu/import_fixtures.py BUNDLES.tar.xz [...] [--dest tests/fixtures/gpu] [--suffix=-run2]

Per bundle: build.log.xz, layers.json (.xz when over 64 KiB), config.json, env.json, status.json,
explain.txt, calibration.cache, and the results of `trtlog validate` / `trtlog bench` and of
gpu/independent_timing.py when present. engine.plan and timing.cache never travel. Files
are copied as they came (compressed, not edited).
"""
import argparse
import lzma
import shutil
import tarfile
import tempfile
from pathlib import Path

KEEP = ("config.json", "env.json", "status.json", "explain.txt", "calibration.cache", "profile.json", "times.json",
        "validate.json", "bench.json", "bench_cudagraph.json", "independent_timing.json",
        "independent_timing_cudagraph.json")


def xz(src: Path, dst: Path) -> None:
    with open(src, "rb") as f, lzma.open(dst, "wb", preset=9 | lzma.PRESET_EXTREME) as g:
        shutil.copyfileobj(f, g)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("archives", nargs="+")
    ap.add_argument("--dest", default="tests/fixtures/gpu")
    ap.add_argument("--suffix", default="", help="appended to each bundle name (a second run of the same builds)")
    a = ap.parse_args()
    dest = Path(a.dest)
    for archive in a.archives:
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
            tar.extractall(tmp)
            for bundle in sorted(p for p in Path(tmp).iterdir() if p.is_dir()):
                if not (bundle / "build.log").is_file():
                    continue
                out = dest / (bundle.name + a.suffix)
                if out.exists():
                    shutil.rmtree(out)
                out.mkdir(parents=True)
                xz(bundle / "build.log", out / "build.log.xz")
                lj = bundle / "layers.json"
                if lj.is_file():
                    if lj.stat().st_size > 64 * 1024:
                        xz(lj, out / "layers.json.xz")
                    else:
                        shutil.copy2(lj, out / "layers.json")
                for name in KEEP:
                    if (bundle / name).is_file():
                        shutil.copy2(bundle / name, out / name)
                size = sum(p.stat().st_size for p in out.iterdir())
                print(f"{out}: {size / 1024:.0f} KiB ({', '.join(sorted(p.name for p in out.iterdir()))})")


if __name__ == "__main__":
    main()
