"""The one palette: colours for devices, op types, scopes, compute times and statuses.

Every colour the workbench shows comes from here and travels in the payload's
``colors`` maps, so the SVG, the PNG and the JupyterLab extension agree. Colours are
a pure function of the thing coloured (a stable hash, never Python's salted
``hash``), so the same device has the same colour in every cell and every process.
"""

from __future__ import annotations

import math
import zlib

from runtime.devices import DeviceSpec

# Paul Tol's "muted" qualitative scheme: distinguishable with the common colour-vision
# deficiencies (https://personal.sron.nl/~pault/).
QUALITATIVE = (
    "#cc6677",
    "#332288",
    "#ddcc77",
    "#117733",
    "#88ccee",
    "#882255",
    "#44aa99",
    "#999933",
    "#aa4499",
)
NEUTRAL = "#dddddd"  # unplaced ops, the top-level scope, unmeasured ops
SOFT_PLACED = "#d62728"  # the border of ops placed elsewhere than they asked
# ColorBrewer "Oranges": one hue, light (fast) to dark (slow), so it reads in any vision.
SEQUENTIAL = (
    "#fff5eb",
    "#fee6ce",
    "#fdd0a2",
    "#fdae6b",
    "#fd8d3c",
    "#f16913",
    "#d94801",
    "#a63603",
    "#7f2704",
)
STATUS = {
    "done": "#44bb99",
    "current": "#eedd88",
    "next": "#77aadd",
    "pending": "#dddddd",
    "unused": "#ffffff",
    "error": "#ee6677",
}
# Device types start at different palette slots so CPU:i and GPU:j differ for small i, j.
_TYPE_SLOT = {"CPU": 0, "GPU": 4}


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode())


def device_color(device: str) -> str:
    """The colour of a device, from its canonical string.

    The host part (job, replica, task; local when missing) picks a slot by stable hash
    and the device index steps from there, so the devices of one machine never share
    a colour (up to nine of them) and ``/device:CPU:1`` colours like its canonical
    ``/job:localhost/replica:0/task:0/device:CPU:1``.

    Examples
    --------
    >>> device_color("/job:localhost/replica:0/task:0/device:CPU:0")
    '#cc6677'
    >>> device_color("/device:CPU:1") == device_color("/job:localhost/replica:0/task:0/cpu:1")
    True
    >>> len({device_color(f"/device:CPU:{i}") for i in range(3)} | {device_color("/GPU:0")})
    4
    >>> device_color("")
    '#dddddd'
    """
    if not device:
        return NEUTRAL
    spec = DeviceSpec.from_string(device)
    host = f"{spec.job or 'localhost'}/{spec.replica or 0}/{spec.task or 0}"
    offset = 0 if host == "localhost/0/0" else _stable_hash(host)
    kind = spec.device_type or ""
    slot = _TYPE_SLOT.get(kind, _stable_hash(kind)) + (spec.device_index or 0) + offset
    return QUALITATIVE[slot % len(QUALITATIVE)]


def name_color(name: str) -> str:
    """The colour of an op type or name scope (``''``, the top level, is neutral).

    Examples
    --------
    >>> name_color("MatMul") == name_color("MatMul"), name_color("")
    (True, '#dddddd')
    """
    return QUALITATIVE[_stable_hash(name) % len(QUALITATIVE)] if name else NEUTRAL


def time_colors(times: dict) -> dict:
    """Colours for measured times (``{key: microseconds}``), fastest to slowest on a log scale.

    Examples
    --------
    >>> time_colors({"fast": 2.0, "slow": 400.0, "mid": 30.0})
    {'fast': '#fff5eb', 'slow': '#7f2704', 'mid': '#fd8d3c'}
    """
    logs = {key: math.log1p(t) for key, t in times.items()}
    low, high = min(logs.values(), default=0.0), max(logs.values(), default=0.0)
    return {key: sequential_color(x, low, high) for key, x in logs.items()}


def sequential_color(x: float, low: float, high: float) -> str:
    """The ``SEQUENTIAL`` colour of ``x`` between ``low`` (lightest) and ``high`` (darkest).

    Examples
    --------
    >>> sequential_color(0.0, 0.0, 8.0), sequential_color(8.0, 0.0, 8.0), sequential_color(1.0, 1.0, 1.0)
    ('#fff5eb', '#7f2704', '#fff5eb')
    """
    steps = len(SEQUENTIAL) - 1
    return SEQUENTIAL[round(steps * (x - low) / (high - low)) if high > low else 0]


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance).

    Examples
    --------
    >>> text_color("#332288"), text_color("#ddcc77")
    ('#ffffff', '#000000')
    """
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if luminance > 0.179 else "#ffffff"
