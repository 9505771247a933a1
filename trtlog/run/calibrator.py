"""INT8 entropy calibration over a folder of .npy / .npz batches (pycuda for device memory).

Each file is one batch: a .npy holds the single network input; a .npz holds one array per input
name. Files are read in name order. The calibration cache is written to the bundle and read back
from --calib-cache when given, so a later build (or trtexec --calib) can skip calibration.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from ..errors import TrtlogError

NP_DTYPES = {"FLOAT": "float32", "HALF": "float16", "INT32": "int32", "INT8": "int8", "BOOL": "bool",
             "UINT8": "uint8", "INT64": "int64", "BF16": "float32"}


def batch_files(folder) -> List[Path]:
    d = Path(folder)
    if not d.is_dir():
        raise TrtlogError(f"--calib-data {folder}: not a directory")
    files = sorted(p for p in d.iterdir() if p.suffix in (".npy", ".npz") and p.is_file())
    if not files:
        raise TrtlogError(f"--calib-data {folder}: no .npy or .npz batches in it")
    return files


def load_batches(folder, input_names: Sequence[str], limit: Optional[int] = None) -> List[Dict[str, "object"]]:
    """Read the batches into {input name: array}; checks that every batch has every input and that
    all batches have one batch size."""
    import numpy as np

    names = list(input_names)
    out: List[Dict[str, object]] = []
    for path in batch_files(folder)[:limit]:
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise TrtlogError(f"calibration batch {path.name}: cannot read ({exc})") from None
        if path.suffix == ".npy":
            if len(names) != 1:
                raise TrtlogError(f"calibration batch {path.name}: the network has {len(names)} inputs "
                                  f"({', '.join(names)}); use .npz files with one array per input")
            batch = {names[0]: data}
        else:
            keys = list(data.files)
            if len(names) == 1 and len(keys) == 1:
                batch = {names[0]: data[keys[0]]}
            else:
                missing = [n for n in names if n not in keys]
                if missing:
                    raise TrtlogError(f"calibration batch {path.name}: no array for input(s) "
                                      f"{', '.join(missing)} (has {', '.join(keys)})")
                batch = {n: data[n] for n in names}
        out.append(batch)
    sizes = {int(a.shape[0]) if a.ndim else 1 for b in out for a in b.values()}
    if len(sizes) > 1:
        raise TrtlogError(f"calibration batches have different batch sizes: {sorted(sizes)}")
    return out


def check_shapes(batches, expected: Dict[str, Sequence[int]]) -> None:
    """Each array must match the input's shape (-1 matches any size)."""
    for i, batch in enumerate(batches):
        for name, arr in batch.items():
            want = tuple(expected.get(name, ()))
            got = tuple(arr.shape)
            if len(want) != len(got) or any(w not in (-1, g) for w, g in zip(want, got)):
                raise TrtlogError(f"calibration batch {i}: input {name!r} has shape {got}, the network "
                                  f"expects {want}")


def make_calibrator(trt, batches, input_dtypes: Dict[str, str], cache_path: Path,
                    read_cache: Optional[Path] = None, on_batch: Optional[Callable[[int], None]] = None,
                    cache_only: bool = False):
    """An IInt8EntropyCalibrator2 feeding `batches`; errors raised inside TensorRT's callbacks are
    kept on `.error` (TensorRT only sees that calibration failed)."""
    import numpy as np
    import pycuda.autoinit  # noqa: F401  (creates the CUDA context TensorRT then uses)
    import pycuda.driver as cuda

    class EntropyCalibrator(trt.IInt8EntropyCalibrator2):
        def __init__(self):
            trt.IInt8EntropyCalibrator2.__init__(self)
            self.batches = batches
            self.index = 0
            self.error: Optional[BaseException] = None
            self.cache_written = False
            self.dtypes = {n: np.dtype(NP_DTYPES.get(t, "float32")) for n, t in input_dtypes.items()}
            first = batches[0]
            self.buffers = {n: cuda.mem_alloc(max(1, np.asarray(a, dtype=self.dtypes.get(n, np.float32)).nbytes))
                            for n, a in first.items()}

        def get_batch_size(self):
            arr = next(iter(self.batches[0].values()))
            return int(arr.shape[0]) if arr.ndim else 1

        def get_batch(self, names, *args):
            try:
                if cache_only:
                    self.error = TrtlogError(f"TensorRT did not accept the calibration cache {read_cache} "
                                             "and no --calib-data was given")
                    return None
                if self.index >= len(self.batches):
                    return None
                batch = self.batches[self.index]
                ptrs = []
                for n in names:
                    arr = np.ascontiguousarray(batch[n], dtype=self.dtypes.get(n, np.float32))
                    cuda.memcpy_htod(self.buffers[n], arr)
                    ptrs.append(int(self.buffers[n]))
                self.index += 1
                if on_batch is not None:
                    on_batch(self.index)
                return ptrs
            except BaseException as exc:   # noqa: BLE001  (must not propagate into TensorRT)
                self.error = exc
                return None

        def read_calibration_cache(self):
            if read_cache is not None and Path(read_cache).is_file():
                return Path(read_cache).read_bytes()
            return None

        def write_calibration_cache(self, cache):
            try:
                Path(cache_path).write_bytes(bytes(cache))
                self.cache_written = True
            except BaseException as exc:   # noqa: BLE001
                self.error = exc

    return EntropyCalibrator()
