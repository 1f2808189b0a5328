"""Device names: the immutable ``DeviceSpec`` and the devices a session has.

Device strings follow TF's grammar, ``/job:<name>/replica:<int>/task:<int>/device:<TYPE>:<int|*>``,
every part optional. Legacy forms (``/cpu:0``, ``/gpu:1``) are accepted and printed
canonically (``/device:CPU:0``). Parsing checks syntax only; whether a device exists
is the placer's question.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from functools import lru_cache

from .errors import InvalidArgumentError

CPU_MEMORY_LIMIT_BYTES = 256 << 20  # TF's ThreadPoolDevice default


@dataclasses.dataclass(frozen=True)
class DeviceSpec:
    """A (possibly partial) device specification.

    Examples
    --------
    >>> DeviceSpec.from_string("/cpu:0").to_string()
    '/device:CPU:0'
    >>> outer = DeviceSpec(job="train")
    >>> outer.make_merged_spec(DeviceSpec(device_type="GPU", device_index=1)).to_string()
    '/job:train/device:GPU:1'
    """

    job: str | None = None
    replica: int | None = None
    task: int | None = None
    device_type: str | None = None
    device_index: int | None = None

    def __post_init__(self):
        # TF normalises the fields: numbers become ints, "cpu"/"gpu" upper case.
        for name in ("replica", "task", "device_index"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _index(str(value), name, repr(value)))
        if self.device_type in ("cpu", "gpu"):
            object.__setattr__(self, "device_type", self.device_type.upper())

    @classmethod
    def from_string(cls, spec: str | None) -> DeviceSpec:
        """Parse a device string; ``ValueError`` for malformed ones."""
        return _parse(spec or "")

    def to_string(self) -> str:
        """The canonical string (``/job:a/replica:0/task:1/device:CPU:0``)."""
        parts = []
        if self.job is not None:
            parts.append(f"/job:{self.job}")
        if self.replica is not None:
            parts.append(f"/replica:{self.replica}")
        if self.task is not None:
            parts.append(f"/task:{self.task}")
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            parts.append(f"/device:{self.device_type}:{index}")
        return "".join(parts)

    def make_merged_spec(self, other: DeviceSpec) -> DeviceSpec:
        """``self`` with every field that ``other`` sets taken from ``other``."""
        changes = {
            field.name: getattr(other, field.name)
            for field in dataclasses.fields(self)
            if getattr(other, field.name) is not None
        }
        return dataclasses.replace(self, **changes)

    def replace(self, **changes) -> DeviceSpec:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def matches(self, device: DeviceSpec) -> bool:
        """True when every field this spec sets equals ``device``'s."""
        return all(
            getattr(self, field.name) in (None, getattr(device, field.name))
            for field in dataclasses.fields(self)
        )

    def __str__(self):
        return self.to_string()


@lru_cache(maxsize=4096)
def _parse(spec: str) -> DeviceSpec:
    fields: dict = {}
    for part in spec.split("/"):
        if not part:
            continue
        key, _, value = part.partition(":")
        lower = key.lower()
        if lower in ("job", "replica", "task") and value:
            fields[lower] = value if lower == "job" else _index(value, lower, repr(spec))
        elif lower == "device" and value:
            kind, _, index = value.partition(":")
            _set_type(fields, kind.upper() if kind.lower() in ("cpu", "gpu") else kind, spec)
            fields["device_index"] = (
                None if index in ("", "*") else _index(index, "index", repr(spec))
            )
        elif lower in ("cpu", "gpu"):
            _set_type(fields, lower.upper(), spec)
            fields["device_index"] = (
                None if value in ("", "*") else _index(value, "index", repr(spec))
            )
        else:
            raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
    return DeviceSpec(**fields)


def _set_type(fields: dict, device_type: str, spec: str) -> None:
    if fields.get("device_type") not in (None, device_type):
        raise ValueError(f"Cannot specify multiple device types: {spec}")
    fields["device_type"] = device_type


def _index(value: str, field: str, spec: str) -> int:
    if not value.isdigit():
        raise ValueError(f"Device {field} must be a non-negative integer: '{value}' in {spec}")
    return int(value)


def canonical_name(spec: str | DeviceSpec | None) -> str:
    """The canonical form of a device string (``''`` stays ``''``).

    Examples
    --------
    >>> canonical_name("/job:worker/replica:0/task:3/cpu:1")
    '/job:worker/replica:0/task:3/device:CPU:1'
    """
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return _parse(spec or "").to_string()


def merge_device(outer: str, inner: str) -> str:
    """TF's scope rule: ``inner``'s fields win, ``outer`` fills what it leaves unset.

    Examples
    --------
    >>> merge_device("/job:ps/device:CPU:0", "/device:GPU:1")
    '/job:ps/device:GPU:1'
    """
    return _parse(outer).make_merged_spec(_parse(inner)).to_string()


class DeviceAttributes:
    """What ``Session.list_devices()`` returns for each device.

    Examples
    --------
    >>> d = DeviceAttributes("/job:localhost/replica:0/task:0/cpu:0", "CPU", 256, 7)
    >>> d.name, d.memory_limit == d.memory_limit_bytes
    ('/job:localhost/replica:0/task:0/device:CPU:0', True)
    """

    __slots__ = ("_device_type", "_incarnation", "_memory_limit_bytes", "_name")

    def __init__(self, name, device_type, memory_limit_bytes, incarnation):
        self._name = canonical_name(name)
        self._device_type = device_type
        self._memory_limit_bytes = memory_limit_bytes
        self._incarnation = incarnation

    @property
    def name(self) -> str:
        return self._name

    @property
    def device_type(self) -> str:
        return self._device_type

    @property
    def memory_limit_bytes(self) -> int:
        return self._memory_limit_bytes

    @property
    def memory_limit(self) -> int:
        """The seed document's spelling of :attr:`memory_limit_bytes`."""
        return self._memory_limit_bytes

    @property
    def incarnation(self) -> int:
        return self._incarnation

    @property
    def spec(self) -> DeviceSpec:
        return DeviceSpec.from_string(self._name)

    def __repr__(self):
        return (
            f"_DeviceAttributes({self._name}, {self._device_type}, "
            f"{self._memory_limit_bytes}, {self._incarnation})"
        )


_incarnations = itertools.count(int.from_bytes(os.urandom(4), "little") | 1)


def local_devices(device_count: dict | None = None, job: str = "localhost", task: int = 0):
    """The devices of an in-process session, as ``DeviceAttributes``.

    ``device_count`` is ``ConfigProto.device_count``: ``{'CPU': 2}`` gives two CPUs.
    GPUs are listed only when a GPU array library finds real ones.

    Examples
    --------
    >>> [d.name for d in local_devices({"CPU": 2})]
    ['/job:localhost/replica:0/task:0/device:CPU:0', '/job:localhost/replica:0/task:0/device:CPU:1']
    """
    device_count = dict(device_count or {})
    cpus = device_count.get("CPU", 1)
    if cpus < 1:
        raise InvalidArgumentError(None, None, f"device_count['CPU'] must be >= 1, got {cpus}")
    gpus = min(device_count.get("GPU", len(gpu_memory())), len(gpu_memory()))
    prefix = f"/job:{job}/replica:0/task:{task}"
    devices = [
        DeviceAttributes(
            f"{prefix}/device:CPU:{i}", "CPU", CPU_MEMORY_LIMIT_BYTES, next(_incarnations)
        )
        for i in range(cpus)
    ]
    devices += [
        DeviceAttributes(f"{prefix}/device:GPU:{i}", "GPU", gpu_memory()[i], next(_incarnations))
        for i in range(gpus)
    ]
    return devices


@lru_cache(maxsize=1)
def gpu_memory() -> tuple:
    """Memory of each GPU that CuPy finds (empty without CuPy or a GPU)."""
    try:
        import cupy
    except ImportError:
        return ()
    try:
        count = cupy.cuda.runtime.getDeviceCount()
        return tuple(cupy.cuda.Device(i).mem_info[1] for i in range(count))
    except Exception:
        return ()
