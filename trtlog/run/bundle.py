"""The bundle directory one `trtlog build` writes (read back by `trtlog.load(bundle_dir)`).

Files: build.log, engine.plan, layers.json, profile.json / times.json (trtexec), config.json,
timing.cache, calibration.cache, env.json, status.json, explain.txt. An existing bundle is never
overwritten unless force=True, and then only these files are removed: other files in the folder
stay.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, Optional

from .. import __version__
from ..errors import TrtlogError

BUNDLE_FILES = ("build.log", "engine.plan", "layers.json", "profile.json", "times.json", "config.json",
                "timing.cache", "calibration.cache", "env.json", "status.json", "explain.txt",
                "validate.json", "bench.json")


class Bundle:
    def __init__(self, path, force: bool = False):
        self.dir = Path(path)
        self.force = force

    def __truediv__(self, name: str) -> Path:
        return self.dir / name

    def existing(self):
        if not self.dir.is_dir():
            return []
        return [n for n in BUNDLE_FILES if (self.dir / n).exists()]

    def check(self) -> None:
        """Refuse (exit 2) before any work when the target holds a bundle and force is off."""
        if self.dir.exists() and not self.dir.is_dir():
            raise TrtlogError(f"bundle path {self.dir} exists and is not a directory")
        present = self.existing()
        if present and not self.force:
            raise TrtlogError(f"{self.dir} already holds a bundle ({', '.join(present[:4])}"
                              f"{', ...' if len(present) > 4 else ''}); pass --force to overwrite it "
                              "or choose another --out")

    def create(self) -> "Bundle":
        self.check()
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in self.existing():       # only with force (check() refused otherwise)
            (self.dir / name).unlink()
        return self

    def write_json(self, name: str, obj: Any) -> Path:
        path = self.dir / name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    def write_bytes(self, name: str, data) -> Path:
        path = self.dir / name
        with open(path, "wb") as f:
            f.write(data)
        return path

    def write_status(self, ok: bool, exit_code: int, error: str = "", build_seconds: Optional[float] = None,
                     engine_bytes: int = 0, **extra) -> Path:
        status = {"ok": bool(ok), "exit_code": int(exit_code), "error": error,
                  "build_seconds": None if build_seconds is None else round(float(build_seconds), 3),  # ms resolution
                  "engine_bytes": int(engine_bytes)}
        status.update(extra)
        return self.write_json("status.json", status)


# -- environment ----------------------------------------------------------------------------------
def gpu_info(device: int = 0) -> Dict[str, Any]:
    """GPU name, compute capability, memory and CUDA driver version through the driver API (no
    pycuda needed); {} when there is no driver."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return {}
    info: Dict[str, Any] = {}
    try:
        if cuda.cuInit(0) != 0:
            return {}
        ver = ctypes.c_int()
        if cuda.cuDriverGetVersion(ctypes.byref(ver)) == 0:
            info["cuda_driver"] = f"{ver.value // 1000}.{(ver.value % 1000) // 10}"
        dev = ctypes.c_int()
        if cuda.cuDeviceGet(ctypes.byref(dev), device) != 0:
            return info
        name = ctypes.create_string_buffer(256)
        if cuda.cuDeviceGetName(name, 256, dev) == 0:
            info["gpu"] = name.value.decode(errors="replace")
        major, minor = ctypes.c_int(), ctypes.c_int()
        if (cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, dev) == 0
                and cuda.cuDeviceGetAttribute(ctypes.byref(minor), 76, dev) == 0):
            info["compute_capability"] = f"{major.value}.{minor.value}"
        mem = ctypes.c_size_t()
        if cuda.cuDeviceTotalMem_v2(ctypes.byref(mem), dev) == 0:
            info["gpu_memory_mib"] = mem.value // 2 ** 20
    except (AttributeError, OSError):
        pass
    return info


def nvidia_driver() -> str:
    try:
        text = Path("/proc/driver/nvidia/version").read_text()
        m = re.search(r"Kernel Module\s+(?:for \S+\s+)?([0-9.]+)", text)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""
    except (OSError, subprocess.SubprocessError):
        return ""


class DriverVersion(threading.Thread):
    """nvidia_driver() in a thread, started before the builder is created: where /proc has no driver
    version it runs nvidia-smi (tenths of a second), which then overlaps TensorRT's own start-up."""

    def __init__(self):
        super().__init__(daemon=True)
        self.value = ""
        self.start()

    def run(self) -> None:
        self.value = nvidia_driver()

    def result(self) -> str:
        self.join()
        return self.value


# backend -> the env.json key that holds its version (the module's name)
VERSION_KEYS = {"tensorrt": "tensorrt", "trtexec": "tensorrt", "rtx": "tensorrt_rtx"}


def collect_env(trt_version: str = "", producer: str = "python", gpu: Optional[Dict[str, Any]] = None,
                driver: Optional["DriverVersion"] = None, backend: str = "tensorrt") -> Dict[str, Any]:
    env: Dict[str, Any] = {"backend": backend, VERSION_KEYS[backend]: trt_version, "producer": producer}
    env.update(gpu if gpu is not None else gpu_info())
    env["nvidia_driver"] = driver.result() if driver is not None else nvidia_driver()
    env["python"] = platform.python_version()
    env["trtlog"] = __version__
    for mod in ("numpy", "pycuda", "onnx"):
        m = sys.modules.get(mod)
        if m is not None:
            env[mod] = getattr(m, "VERSION_TEXT", None) or getattr(m, "__version__", "")
    env["platform"] = platform.platform()
    return env


def sm_tag(gpu: Dict[str, Any]) -> str:
    cc = gpu.get("compute_capability", "")
    if cc:
        return "sm" + cc.replace(".", "")
    name = gpu.get("gpu", "")
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "gpu-unknown"


def timing_cache_path(path, trt_version: str, gpu: Dict[str, Any]) -> Path:
    """The file `--timing-cache FILE` really uses: FILE with the TensorRT version and GPU inserted
    before the suffix (cache.timing -> cache.trt8.6.0-sm90.timing), so one flag can be passed to
    builds on several versions or GPUs without ever feeding one version's cache to another."""
    p = Path(path)
    tag = f"trt{trt_version}-{sm_tag(gpu)}"
    if tag in p.name:
        return p
    suffix = p.suffix or ".cache"
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return p.with_name(f"{stem}.{tag}{suffix}")
