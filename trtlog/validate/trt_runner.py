"""Load a serialized TensorRT engine and run it with pycuda (device memory, streams, events).

The execution API differs by version:
- TensorRT >= 8.5 (and 10.x, 11.x): tensor names — num_io_tensors, get_tensor_mode, set_input_shape,
  set_tensor_address, execute_async_v3. Preferred whenever the engine has `num_io_tensors`.
- TensorRT < 8.5: binding indices — num_bindings, binding_is_input, set_binding_shape,
  execute_async_v2 with a list of device pointers (profile 0's bindings only).
Implicit-batch engines (TensorRT 7 era, execute_async with a batch size) are refused with a message.

Everything here imports tensorrt and pycuda lazily, so the rest of trtlog works without them.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import TrtlogError
from ..vocab import format_shapes

TRT_MISSING = "TensorRT is not installed: pip install 'trtlog[trt]'"
PYCUDA_MISSING = "pycuda is not installed: pip install 'trtlog[trt]'"

# TensorRT DataType name -> numpy dtype; BF16 travels as raw uint16 and is widened on the host
_TRT_TO_NP = {
    "FLOAT": np.float32, "HALF": np.float16, "INT8": np.int8, "INT32": np.int32, "BOOL": np.bool_,
    "UINT8": np.uint8, "INT64": np.int64, "BF16": np.uint16,
}


def import_trt():
    try:
        import tensorrt as trt
    except ImportError as exc:
        if getattr(exc, "name", None) in (None, "tensorrt"):
            raise TrtlogError(TRT_MISSING) from None
        raise TrtlogError(f"TensorRT could not be loaded: {exc}") from None
    return trt


def import_cuda():
    try:
        import pycuda.driver as cuda
    except ImportError as exc:
        if getattr(exc, "name", None) in (None, "pycuda", "pycuda.driver"):
            raise TrtlogError(PYCUDA_MISSING) from None
        raise TrtlogError(f"pycuda could not be loaded: {exc}") from None
    return cuda


def require_runtime():
    """Fail fast, with the one-line message, before any other work."""
    return import_trt(), import_cuda()


def _enum_name(value) -> str:
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value).rsplit(".", 1)[-1]


def np_dtype(trt_dtype) -> np.dtype:
    name = _enum_name(trt_dtype)
    if name not in _TRT_TO_NP:
        raise TrtlogError(f"engine tensor type {name} cannot be read back on the host")
    return np.dtype(_TRT_TO_NP[name])


def bf16_to_float32(raw: np.ndarray) -> np.ndarray:
    return (raw.astype(np.uint32) << 16).view(np.float32)


@dataclass
class IOTensor:
    name: str
    is_input: bool
    trt_dtype: str              # DataType name: FLOAT, HALF, INT32 ...
    dtype: np.dtype             # host dtype used for the buffers
    shape: Tuple[int, ...]      # engine shape, -1 for dynamic dims
    index: int                  # binding index (bindings API) or I/O position
    profile: Optional[Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...]]] = None  # min, opt, max

    @property
    def is_dynamic(self) -> bool:
        return any(d < 0 for d in self.shape)


class CudaContext:
    """The device's primary context, current on this thread until close() (TensorRT shares it)."""

    def __init__(self, device: int = 0):
        self.cuda = import_cuda()
        try:
            self.cuda.init()
            if device >= self.cuda.Device.count():
                raise TrtlogError(f"no CUDA device {device} ({self.cuda.Device.count()} found)")
            self.device = self.cuda.Device(device)
            self.ctx = self.device.retain_primary_context()
            self.ctx.push()
        except self.cuda.Error as exc:
            raise TrtlogError(f"CUDA is not usable: {exc}") from None
        self._open = True

    @property
    def name(self) -> str:
        return self.device.name()

    def close(self) -> None:
        if self._open:
            self._open = False
            self.ctx.pop()


def _make_logger(trt):
    class _Logger(trt.ILogger):
        """Keeps TensorRT's messages (trt.Logger would print them to stdout, into our JSON)."""

        def __init__(self):
            trt.ILogger.__init__(self)
            self.messages: List[Tuple[int, str]] = []

        def log(self, severity, msg):
            level = int(severity)
            self.messages.append((level, msg))
            if level <= 1:   # INTERNAL_ERROR, ERROR
                print(f"[TRT] [E] {msg}", file=sys.stderr)

        def last_error(self) -> str:
            errs = [m for lvl, m in self.messages if lvl <= 1]
            return errs[-1] if errs else ""

    return _Logger()


def read_engine_bytes(path) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise TrtlogError(f"engine not found: {path}")
    data = p.read_bytes()
    if not data:
        raise TrtlogError(f"engine file is empty: {path}")
    return data


class EngineRunner:
    """One engine, one execution context, one CUDA stream; buffers sized for the current shapes."""

    def __init__(self, engine: "bytes | str | Path", device: int = 0, cuda_ctx: Optional[CudaContext] = None):
        self.trt = import_trt()
        self.cuda = import_cuda()
        self._own_ctx = cuda_ctx is None
        self.cuda_ctx = cuda_ctx or CudaContext(device)
        self._allocs: List[object] = []
        try:
            self._load(engine)
        except BaseException:
            self.close()
            raise

    # -- loading ----------------------------------------------------------------------------------
    def _load(self, engine) -> None:
        trt = self.trt
        data = engine if isinstance(engine, (bytes, bytearray)) else read_engine_bytes(engine)
        self.logger = _make_logger(trt)
        self.runtime = trt.Runtime(self.logger)
        self.engine = self.runtime.deserialize_cuda_engine(bytes(data))
        if self.engine is None:
            why = self.logger.last_error() or "unknown reason"
            raise TrtlogError(f"could not deserialize the engine with TensorRT {trt.__version__} "
                              f"(an engine only loads with the TensorRT version and GPU it was built for): {why}")
        self.api = "tensors" if hasattr(self.engine, "num_io_tensors") else "bindings"
        if self.api == "bindings" and getattr(self.engine, "has_implicit_batch_dimension", False):
            raise TrtlogError("implicit-batch engines are not supported (rebuild with an explicit batch dimension)")
        self.context = self.engine.create_execution_context()
        if self.context is None:
            raise TrtlogError(f"could not create an execution context: {self.logger.last_error()}")
        self.stream = self.cuda.Stream()
        self.io = self._describe()
        self._bindings: List[int] = [0] * (self.engine.num_bindings if self.api == "bindings" else 0)

    def _describe(self) -> List[IOTensor]:
        e, trt = self.engine, self.trt
        out = []
        if self.api == "tensors":
            for i in range(e.num_io_tensors):
                name = e.get_tensor_name(i)
                is_input = e.get_tensor_mode(name) == trt.TensorIOMode.INPUT
                if hasattr(e, "get_tensor_location") and e.get_tensor_location(name) == trt.TensorLocation.HOST:
                    raise TrtlogError(f"tensor {name!r} lives on the host (a shape tensor): not supported")
                dt = e.get_tensor_dtype(name)
                t = IOTensor(name, is_input, _enum_name(dt), np_dtype(dt), tuple(e.get_tensor_shape(name)), i)
                if is_input and t.is_dynamic:
                    t.profile = self._profile(name, i)
                out.append(t)
        else:
            per_profile = e.num_bindings // max(1, e.num_optimization_profiles)
            for i in range(per_profile):
                dt = e.get_binding_dtype(i)
                t = IOTensor(e.get_binding_name(i), e.binding_is_input(i), _enum_name(dt), np_dtype(dt),
                             tuple(e.get_binding_shape(i)), i)
                if t.is_input and t.is_dynamic:
                    t.profile = self._profile(t.name, i)
                out.append(t)
        return out

    def _profile(self, name: str, index: int):
        e = self.engine
        if hasattr(e, "get_tensor_profile_shape"):
            shapes = e.get_tensor_profile_shape(name, 0)
        else:
            shapes = e.get_profile_shape(0, index)
        mn, opt, mx = (tuple(int(d) for d in s) for s in shapes)
        return mn, opt, mx

    @property
    def inputs(self) -> List[IOTensor]:
        return [t for t in self.io if t.is_input]

    @property
    def outputs(self) -> List[IOTensor]:
        return [t for t in self.io if not t.is_input]

    @property
    def api_name(self) -> str:
        return "set_tensor_address + execute_async_v3" if self.api == "tensors" else "bindings + execute_async_v2"

    # -- shapes -----------------------------------------------------------------------------------
    def resolve_shapes(self, shapes: Optional[Dict[str, Sequence[int]]] = None,
                       batch: Optional[int] = None) -> Dict[str, Tuple[int, ...]]:
        """Input shapes to run with: fixed dims, else --shapes, else --batch for axis 0, else profile opt."""
        shapes = dict(shapes or {})
        unknown = set(shapes) - {t.name for t in self.inputs}
        if unknown:
            raise TrtlogError(f"--shapes names {', '.join(sorted(unknown))}, not inputs of the engine "
                              f"(inputs: {', '.join(t.name for t in self.inputs)})")
        out = {}
        for t in self.inputs:
            if t.name in shapes:
                s = tuple(int(d) for d in shapes[t.name])
            elif not t.is_dynamic:
                s = t.shape
            else:
                s = tuple(t.profile[1])
                if batch is not None and t.shape[0] < 0:
                    s = (int(batch),) + s[1:]
            self._check_shape(t, s)
            out[t.name] = s
        return out

    @staticmethod
    def _check_shape(t: IOTensor, s: Tuple[int, ...]) -> None:
        if len(s) != len(t.shape) or any(e >= 0 and e != d for e, d in zip(t.shape, s)):
            raise TrtlogError(f"shape {list(s)} does not fit input {t.name!r} of the engine {list(t.shape)}")
        if t.profile is not None:
            mn, _, mx = t.profile
            if any(not (lo <= d <= hi) for d, lo, hi in zip(s, mn, mx)):
                raise TrtlogError(f"shape {list(s)} of input {t.name!r} is outside the engine's profile "
                                  f"min {list(mn)} max {list(mx)}")

    def set_input_shapes(self, shapes: Dict[str, Tuple[int, ...]]) -> Dict[str, Tuple[int, ...]]:
        """Apply input shapes to the context; returns every output's resulting shape."""
        for t in self.inputs:
            s = tuple(int(d) for d in shapes[t.name])
            self._check_shape(t, s)
            if not t.is_dynamic:
                continue
            ok = (self.context.set_input_shape(t.name, s) if self.api == "tensors"
                  else self.context.set_binding_shape(t.index, s))
            if ok is False:
                raise TrtlogError(f"TensorRT refused shape {list(s)} for input {t.name!r}: {self.logger.last_error()}")
        out = {}
        for t in self.outputs:
            s = tuple(self.context.get_tensor_shape(t.name) if self.api == "tensors"
                      else self.context.get_binding_shape(t.index))
            if any(d < 0 for d in s):
                raise TrtlogError(f"output {t.name!r} has a data-dependent shape {list(s)}: not supported")
            out[t.name] = tuple(int(d) for d in s)
        return out

    # -- memory and execution ---------------------------------------------------------------------
    def alloc(self, nbytes: int):
        buf = self.cuda.mem_alloc(max(int(nbytes), 1))
        self._allocs.append(buf)
        return buf

    def pinned(self, shape, dtype) -> np.ndarray:
        return self.cuda.pagelocked_empty(tuple(shape), np.dtype(dtype))

    def bind(self, addresses: Dict[str, int]) -> None:
        """Device addresses for every I/O tensor, by name."""
        if self.api == "tensors":
            for name, ptr in addresses.items():
                if not self.context.set_tensor_address(name, int(ptr)):
                    raise TrtlogError(f"TensorRT refused the address of {name!r}: {self.logger.last_error()}")
        else:
            for t in self.io:
                self._bindings[t.index] = int(addresses[t.name])

    def enqueue(self, stream=None) -> None:
        handle = (stream or self.stream).handle
        if self.api == "tensors":
            ok = self.context.execute_async_v3(handle)
        else:
            ok = self.context.execute_async_v2(self._bindings, handle)
        if not ok:
            raise TrtlogError(f"TensorRT execution failed: {self.logger.last_error() or 'no message'}")

    def infer(self, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """Run one input set synchronously; returns host copies of every output (BF16 widened to FP32)."""
        missing = [t.name for t in self.inputs if t.name not in feeds]
        if missing:
            raise TrtlogError(f"no data for engine input(s): {', '.join(missing)}")
        out_shapes = self.set_input_shapes({t.name: np.asarray(feeds[t.name]).shape for t in self.inputs})
        addresses: Dict[str, int] = {}
        temps = []
        for t in self.inputs:
            host = self.pinned(np.asarray(feeds[t.name]).shape, t.dtype)
            host[...] = _cast_input(feeds[t.name], t)
            dev = self.alloc(host.nbytes)
            self.cuda.memcpy_htod_async(dev, host, self.stream)
            addresses[t.name] = int(dev)
            temps.append((dev, host))
        results = {}
        for t in self.outputs:
            host = self.pinned(out_shapes[t.name], t.dtype)
            dev = self.alloc(host.nbytes)
            addresses[t.name] = int(dev)
            results[t.name] = (dev, host)
        self.bind(addresses)
        self.enqueue()
        for t in self.outputs:
            dev, host = results[t.name]
            self.cuda.memcpy_dtoh_async(host, dev, self.stream)
        self.stream.synchronize()
        out = {}
        for t in self.outputs:
            host = np.array(results[t.name][1])
            out[t.name] = bf16_to_float32(host) if t.trt_dtype == "BF16" else host
        for dev, _ in list(temps) + list(results.values()):
            self.free(dev)
        return out

    def free(self, dev) -> None:
        if dev in self._allocs:
            self._allocs.remove(dev)
        dev.free()

    def close(self) -> None:
        for buf in self._allocs:
            try:
                buf.free()
            except Exception:
                pass
        self._allocs = []
        # TensorRT objects go before the context they live in
        for attr in ("context", "engine", "runtime"):
            if hasattr(self, attr):
                delattr(self, attr)
        if self._own_ctx and getattr(self, "cuda_ctx", None) is not None:
            self.cuda_ctx.close()
            self.cuda_ctx = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _cast_input(arr, t: IOTensor) -> np.ndarray:
    """Feed values in the engine's dtype (TensorRT 8 runs INT64 ONNX inputs as INT32)."""
    a = np.asarray(arr)
    if t.trt_dtype == "BF16":
        f = a.astype(np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16)
    if a.dtype.kind in "iu" and t.dtype.kind in "iu":
        info = np.iinfo(t.dtype)
        if a.size and (a.min() < info.min or a.max() > info.max):
            raise TrtlogError(f"input {t.name!r} holds values outside the engine's {t.dtype} range")
    return a.astype(t.dtype, copy=False)


shapes_text = format_shapes   # trtexec --shapes syntax


def main(argv=None) -> int:
    """`python -m trtlog.validate.trt_runner shapes ENGINE [--batch N]`: print the input shapes a run
    would use (trtexec syntax), for computing references on a Python without TensorRT."""
    import argparse
    ap = argparse.ArgumentParser(prog="python -m trtlog.validate.trt_runner")
    ap.add_argument("what", choices=["shapes"])
    ap.add_argument("engine")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--shapes")
    args = ap.parse_args(argv)
    from ..vocab import parse_shapes
    try:
        with EngineRunner(args.engine) as r:
            print(shapes_text(r.resolve_shapes(parse_shapes(args.shapes), args.batch)))
    except TrtlogError as exc:
        print(f"trtlog: error: {exc}", file=sys.stderr)
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
