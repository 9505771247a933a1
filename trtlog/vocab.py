"""The words TensorRT logs use for precisions, versions, byte sizes, tactic ids and shapes, defined once.

Everything in trtlog that names a precision, compares a version, prints or reads a size, keys a
tactic or parses a shape uses this module (tests/test_vocab.py fails on a second definition).
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from packaging.version import InvalidVersion
from packaging.version import Version as _PVersion

from .errors import TrtlogError

# -- precision ---------------------------------------------------------------------------------


class Precision(NamedTuple):
    name: str
    bits: int      # width of one value; the rank of compute precisions (lower = less precise)
    kind: str      # "float" / "quant": compute precisions; "index": shapes, indices, masks


# Display order: floats widest first, then quantized integers, then index types.
PRECISIONS: Tuple[Precision, ...] = (
    Precision("FP32", 32, "float"),
    Precision("TF32", 32, "float"),   # FP32 storage with TF32 math: as wide as FP32 for every comparison here
    Precision("FP16", 16, "float"),
    Precision("BF16", 16, "float"),
    Precision("FP8", 8, "float"),
    Precision("FP4", 4, "float"),
    Precision("INT8", 8, "quant"),
    Precision("INT4", 4, "quant"),
    Precision("INT32", 32, "index"),
    Precision("INT64", 64, "index"),
    Precision("BOOL", 8, "index"),
    Precision("UINT8", 8, "index"),
)
_BY_NAME = {p.name: p for p in PRECISIONS}
# Spellings seen in logs, layer-info JSON, TensorRT's DataType names and trtexec flags.
ALIASES: Dict[str, str] = {
    "float": "FP32", "fp32": "FP32", "float32": "FP32",
    "half": "FP16", "fp16": "FP16", "float16": "FP16",
    "bfloat16": "BF16", "bf16": "BF16", "tf32": "TF32",
    "int8": "INT8", "fp8": "FP8", "float8": "FP8", "e4m3": "FP8", "int4": "INT4", "fp4": "FP4",
    "int32": "INT32", "int64": "INT64", "bool": "BOOL", "uint8": "UINT8",
}
# substrings tried in this order when a dtype is not a known spelling ("Int8x4" -> INT8)
_CONTAINS = (("fp16", "FP16"), ("half", "FP16"), ("bf16", "BF16"), ("int8", "INT8"), ("fp8", "FP8"),
             ("float8", "FP8"), ("e4m3", "FP8"), ("e5m2", "FP8"), ("float4", "FP4"), ("e2m1", "FP4"),
             ("int4", "INT4"), ("fp32", "FP32"), ("float", "FP32"), ("int32", "INT32"), ("int64", "INT64"),
             ("bool", "BOOL"))
COMPUTE_PRECISIONS = frozenset(p.name for p in PRECISIONS if p.kind != "index")

# engine layer types that only convert a tensor's format or precision: Myelin's own appear in an 8.6 build with a
# hardware compatibility level (tests/fixtures/gpu-logs/vc-hwcompat-trt8.6.0.log, lines 587 and 589)
REFORMAT_TYPES = frozenset({"Reformat", "MyelinReformat"})

# the oldest GPUs (compute capability) with hardware for a precision's math, and their architecture names
HARDWARE_PRECISION: Dict[str, Tuple[str, str]] = {
    "BF16": ("8.0", "Ampere or newer"),
    "FP8": ("8.9", "Ada, Hopper or Blackwell"),
    "FP4": ("10.0", "Blackwell: 10.x datacenter, 12.x RTX"),
}


def precision_of(dtype: str) -> str:
    """Canonical precision name of a dtype as any TensorRT output spells it ('Half' -> 'FP16');
    an unknown one comes back upper-cased, '' stays ''."""
    d = str(dtype).strip().lower()
    if d in ALIASES:
        return ALIASES[d]
    for word, prec in _CONTAINS:
        if word in d:
            return prec
    return d.upper()


def precision_alias(name: str) -> Optional[str]:
    """Canonical name of an exact spelling ('HALF' -> 'FP16'); None when it is not one."""
    return ALIASES.get(str(name).strip().lower())


def precision_flag(name: str) -> Optional[str]:
    """A requested precision's canonical name as a builder flag names it ('Half' -> 'FP16'), BEST (trtexec
    --best) as itself; None when it is neither."""
    s = str(name).strip().upper()
    return "BEST" if s == "BEST" else precision_alias(s)


def precision_rank(name: str) -> Optional[int]:
    """Bits of a compute precision (the one ranking: FP4 = INT4 < FP8 = INT8 < FP16 = BF16 < TF32 = FP32);
    None for index types and unknown names."""
    p = _BY_NAME.get(name)
    return p.bits if p is not None and p.kind != "index" else None


def precision_order(name: str) -> int:
    """Sort key for showing precisions (PRECISIONS order; 'TF32?' beside TF32; unknown names last)."""
    p = _BY_NAME.get(name.rstrip("?"))
    return PRECISIONS.index(p) if p is not None else len(PRECISIONS)


def precision_family(name: str) -> str:
    """The precision a requested flag is met by: TF32 math is FP32 storage ('TF32?' / 'float' -> 'FP32')."""
    p = precision_alias(name.rstrip("?")) or name.upper().rstrip("?")
    return "FP32" if p == "TF32" else p


def realised_precision(dtypes: Iterable[str]) -> str:
    """Narrowest compute precision among a layer's tensor dtypes (INT8 conv with FP32 output -> INT8);
    index types (INT32, INT64, BOOL) count only when the layer has nothing else."""
    precs = [precision_of(d) for d in dtypes if d]
    ranked = [p for p in precs if p in COMPUTE_PRECISIONS and p != "TF32"]
    if ranked:
        return min(ranked, key=lambda p: precision_rank(p) or 0)   # ranked: compute precisions, never None
    return precs[0] if precs else ""


# -- version -----------------------------------------------------------------------------------
_DOTTED = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_ENCODED = re.compile(r"v?(\d{4,6})\b")
_LEADING = re.compile(r"\d+")


class Version(_PVersion):
    """A TensorRT version: packaging's Version (numeric, never lexical: 8.10 > 8.9, 10.0 > 8.6) that
    also compares with strings, ints (TensorRT's encoded form) and tuples of ints."""

    @property
    def parts(self) -> Tuple[int, int, int, int]:
        r = self.release + (0, 0, 0, 0)
        return r[0], r[1], r[2], r[3]

    def _coerce(self, other: Any) -> Any:
        if isinstance(other, _PVersion):
            return other
        if isinstance(other, tuple):
            return _PVersion(".".join(str(int(p)) for p in other))
        return parse_version(other)

    def __eq__(self, other: Any) -> bool:
        try:
            return super().__eq__(self._coerce(other))
        except (TrtlogError, InvalidVersion, TypeError, ValueError):
            return False

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __lt__(self, other: Any) -> bool:
        return super().__lt__(self._coerce(other))

    def __le__(self, other: Any) -> bool:
        return super().__le__(self._coerce(other))

    def __gt__(self, other: Any) -> bool:
        return super().__gt__(self._coerce(other))

    def __ge__(self, other: Any) -> bool:
        return super().__ge__(self._coerce(other))

    __hash__ = _PVersion.__hash__


def version_from_code(code: int) -> Version:
    """TensorRT's integer encoding (NV_TENSORRT_VERSION, trtexec's '[TensorRT v8601]'):
    major*1000 + minor*100 + patch before 10 (8601 -> 8.6.1), major*10000 + minor*100 + patch from 10 on
    (100300 -> 10.3.0, 101601 -> 10.16.1)."""
    n = int(code)
    if n >= 100000:
        return Version(f"{n // 10000}.{(n // 100) % 100}.{n % 100}")
    return Version(f"{n // 1000}.{(n // 100) % 10}.{n % 100}")


def decode_version_code(code: str) -> str:
    """'8600' / 'v101601' -> '8.6.0' / '10.16.1'; text that is not a code comes back stripped."""
    d = str(code).strip().lstrip("v")
    if d.isdigit() and len(d) <= 2:      # '[TensorRT v8]': only a major (and minor) version
        return ".".join(d)
    return str(version_from_code(int(d))) if d.isdigit() and 4 <= len(d) <= 6 else d


def parse_version(text: Union[str, int, Version]) -> Version:
    """A dotted ('8.6.0', '8.5.3.1', 'TensorRT 10.16.1') or encoded ('v8600', 8503) TensorRT version;
    raises TrtlogError when the text holds none."""
    if isinstance(text, Version):
        return text
    if isinstance(text, int):
        return version_from_code(text)
    s = str(text).strip()
    m = _DOTTED.search(s)
    if m:
        return Version(m.group(0))
    m = _ENCODED.search(s)
    if m:
        return version_from_code(int(m.group(1)))
    raise TrtlogError(f"not a TensorRT version: {text!r}")


def find_version(text: Any) -> Optional[Version]:
    """Like parse_version, but None for empty or version-less text; a bare major ('10') is 10.0."""
    if text is None or text == "":
        return None
    try:
        return parse_version(text)
    except (TrtlogError, InvalidVersion, ValueError):
        m = _LEADING.search(str(text))
        return Version(m.group(0)) if m else None


def as_version(v: Any) -> Version:
    return v if isinstance(v, Version) else parse_version(v)


def at_least(v: Any, minimum: Any) -> bool:
    return as_version(v) >= as_version(minimum)


# -- byte sizes --------------------------------------------------------------------------------
KiB, MiB, GiB, TiB = 1 << 10, 1 << 20, 1 << 30, 1 << 40
_UNITS = {"b": 1, "k": KiB, "kib": KiB, "kb": KiB, "m": MiB, "mib": MiB, "mb": MiB,
          "g": GiB, "gib": GiB, "gb": GiB, "t": TiB, "tib": TiB, "tb": TiB}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*")


def format_bytes(n: Any, spec: str = ".1f", missing: str = "?") -> str:
    """'1.5 MiB': binary units (KiB, MiB, GiB, TiB) with `spec` for the number, whole bytes as '512 B';
    `missing` for None/NaN. TensorRT's 'MiB' is 2**20 bytes (MemUsageChange, Memory Pools)."""
    try:
        f = float(n)
    except (TypeError, ValueError):
        return missing
    if f != f:
        return missing
    for unit, scale in (("TiB", TiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if abs(f) >= scale:
            return f"{f / scale:{spec}} {unit}"
    return f"{f:.0f} B"


def parse_bytes(text: Any, default_unit: str = "B") -> int:
    """'512K', '64MiB', '1.5 MiB', '4096B', '2G' -> bytes (K/KB/KiB are all 1024: TensorRT and trtexec
    mean binary units); a bare number is in `default_unit` (trtexec's --memPoolSize: 'M')."""
    m = _SIZE.fullmatch(str(text))
    unit = (m.group(2) or default_unit).lower() if m else None
    if not m or unit not in _UNITS:
        raise TrtlogError(f"bad size {text!r}: expected e.g. 512K, 64MiB, 1.5 GiB")
    return int(float(m.group(1)) * _UNITS[unit])


def mib_ceil(n: Any) -> int:
    """Whole MiB that hold n bytes (rounded up)."""
    return int(-(-int(n) // MiB))


# -- tactic ids --------------------------------------------------------------------------------

def tactic_int(tactic: Any) -> Optional[int]:
    """Tactic id as printed ('0x5b8bf1b8028629d9', '-410470605513481746', '0') -> one signed 64-bit int
    (TensorRT 8.x prints decimal, 8.5+ hex of the same 64 bits); None when it is not a number."""
    t = str(tactic if tactic is not None else "").strip()
    try:
        v = int(t, 16) if t.lower().startswith("0x") else int(t)
    except ValueError:
        return None
    if v >= 1 << 63:
        v -= 1 << 64
    return v if -(1 << 63) <= v < (1 << 63) else None   # beyond 64 bits: no tactic id


def tactic_hex(value: int) -> str:
    """The 0x%016x form TensorRT >= 8.5 prints (negative ids as their 64-bit pattern)."""
    return f"0x{value & ((1 << 64) - 1):016x}"


# -- shapes ------------------------------------------------------------------------------------
Shape = Tuple[int, ...]
_SEP = re.compile(r"\s*[x,]\s*")


def parse_shape(text: str, dynamic: bool = True) -> Shape:
    """'1x3x224x224', '(1,3,224,224)', '[-1,3,224,224]', '()' -> a tuple of ints. With dynamic=True any
    integer is a dimension (-1 dynamic; old logs print -2 for the implicit batch); with dynamic=False
    (a shape to run) every dimension must be >= 1."""
    t = str(text).strip().lower()
    bracketed = len(t) >= 2 and t[0] + t[-1] in ("()", "[]")
    if bracketed:
        t = t[1:-1].strip().rstrip(",").strip()
    try:
        dims = tuple(int(d) for d in _SEP.split(t)) if t or not bracketed else ()
    except ValueError:
        raise TrtlogError(f"bad shape {text!r}: expected dimensions like 1x3x224x224") from None
    if not dynamic and any(d < 1 for d in dims):
        raise TrtlogError(f"bad shape {text!r}: every dimension must be >= 1")
    return dims


def format_shape(dims: Sequence[int]) -> str:
    """(1, 3, 224, 224) -> '1x3x224x224' (trtexec's syntax)."""
    return "x".join(str(int(d)) for d in dims)


def _items(values: Any) -> List[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in str(value).split(",") if v.strip()]


def parse_shapes(values: Any, lenient: bool = False) -> Dict[str, Shape]:
    """trtexec's --shapes syntax, one string or several: 'input:1x3x224x224,mask:1x128' -> {name: dims}.
    Names may contain ':' (the last one splits, as in trtexec) and quotes; every dimension >= 1.
    lenient (shapes read back from a logged command line): bad items are skipped, dims kept as printed."""
    out: Dict[str, Shape] = {}
    for item in _items(values):
        name, sep, dims = item.rpartition(":")
        name = name.strip().strip("'\"")
        try:
            if not sep or not name:
                raise TrtlogError("no name")
            out[name] = parse_shape(dims, dynamic=lenient)
        except TrtlogError:
            if not lenient:
                raise TrtlogError(f"bad shape {item!r}: expected NAME:1x3x224x224, every dimension >= 1") from None
    return out


def format_shapes(shapes: Dict[str, Sequence[int]]) -> str:
    """{name: dims} -> trtexec's --shapes syntax."""
    return ",".join(f"{name}:{format_shape(dims)}" for name, dims in shapes.items())
