"""TF's string hashes, bit for bit: the hash-bucket ops, ``Fingerprint`` and the hashed
feature crosses give the bucket numbers TF gives.

- :func:`fingerprint64`: FarmHash's ``Fingerprint64`` (the "na" variant, which
  FarmHash promises never to change): ``StringToHashBucketFast``, ``Fingerprint``
  and ``SparseCross``;
- :func:`hash64`: TF's own ``Hash64``, a MurmurHash2-64A with TF's seed
  ``0xDECAFCAFFE``: the legacy ``StringToHashBucket``;
- :func:`siphash`: SipHash-2-4 under a 128-bit key: ``StringToHashBucketStrong``;
- :func:`fingerprint_cat64`: TF's combination of two fingerprints.

All arithmetic is on Python ints masked to 64 bits (the strings are short; numpy's
uint64 would wrap just the same but warns).

Examples
--------
>>> fingerprint64(b"hello") % 10, hash64(b"hello") % 10, siphash((1, 2), b"hello") % 10
(6, 8, 2)
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_MUL = 0xC6A4A7935BD1E995  # MurmurHash2's multiplier, also FingerprintCat64's


def _fetch64(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 8], "little")


def _fetch32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def _rotate(value: int, shift: int) -> int:
    """Rotate right by ``shift`` bits."""
    return ((value >> shift) | (value << (64 - shift))) & _MASK if shift else value


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _hash_len16(u: int, v: int, mul: int) -> int:
    a = _shift_mix(((u ^ v) * mul) & _MASK)
    b = _shift_mix(((v ^ a) * mul) & _MASK)
    return (b * mul) & _MASK


def _hash_len0to16(s: bytes) -> int:
    length = len(s)
    if length >= 8:
        mul = _K2 + length * 2
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, length - 8)
        c = (_rotate(b, 37) * mul + a) & _MASK
        d = ((_rotate(a, 25) + b) * mul) & _MASK
        return _hash_len16(c, d, mul)
    if length >= 4:
        mul = _K2 + length * 2
        a = _fetch32(s, 0)
        return _hash_len16((length + (a << 3)) & _MASK, _fetch32(s, length - 4), mul)
    if length > 0:
        y = s[0] + (s[length >> 1] << 8)
        z = length + (s[length - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _hash_len17to32(s: bytes) -> int:
    length = len(s)
    mul = _K2 + length * 2
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, length - 8) * mul) & _MASK
    d = (_fetch64(s, length - 16) * _K2) & _MASK
    return _hash_len16(
        (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK,
        (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK,
        mul,
    )


def _hash_len33to64(s: bytes) -> int:
    length = len(s)
    mul = _K2 + length * 2
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, length - 8) * mul) & _MASK
    d = (_fetch64(s, length - 16) * _K2) & _MASK
    y = (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK
    z = _hash_len16(y, (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, length - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, length - 24)) * mul) & _MASK
    return _hash_len16(
        (_rotate((e + f) & _MASK, 43) + _rotate(g, 30) + h) & _MASK,
        (e + _rotate((f + a) & _MASK, 18) + g) & _MASK,
        mul,
    )


def _weak_hash32(s: bytes, at: int, a: int, b: int) -> tuple[int, int]:
    """FarmHash's ``WeakHashLen32WithSeeds`` of the 32 bytes at ``at``."""
    w, x, y, z = (_fetch64(s, at + 8 * i) for i in range(4))
    a = (a + w) & _MASK
    b = _rotate((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotate(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(s: bytes) -> int:
    """FarmHash's ``Fingerprint64`` of ``s`` (an unsigned 64-bit int).

    Examples
    --------
    >>> hex(fingerprint64(b""))
    '0x9ae16a3b2f90404f'
    """
    length = len(s)
    if length <= 16:
        return _hash_len0to16(s)
    if length <= 32:
        return _hash_len17to32(s)
    if length <= 64:
        return _hash_len33to64(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v = w = (0, 0)
    x = (x * _K2 + _fetch64(s, 0)) & _MASK
    end = ((length - 1) // 64) * 64
    last64 = end + ((length - 1) & 63) - 63
    at = 0
    while at != end:
        x = (_rotate((x + y + v[0] + _fetch64(s, at + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rotate((y + v[1] + _fetch64(s, at + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(s, at + 40)) & _MASK
        z = (_rotate((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak_hash32(s, at, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak_hash32(s, at + 32, (z + w[1]) & _MASK, (y + _fetch64(s, at + 16)) & _MASK)
        z, x = x, z
        at += 64
    mul = _K1 + ((z & 0xFF) << 1)
    at = last64
    w = ((w[0] + ((length - 1) & 63)) & _MASK, w[1])
    v = ((v[0] + w[0]) & _MASK, v[1])
    w = ((w[0] + v[0]) & _MASK, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(s, at + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotate((y + v[1] + _fetch64(s, at + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _fetch64(s, at + 40)) & _MASK
    z = (_rotate((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak_hash32(s, at, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak_hash32(s, at + 32, (z + w[1]) & _MASK, (y + _fetch64(s, at + 16)) & _MASK)
    z, x = x, z
    return _hash_len16(
        (_hash_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
        (_hash_len16(v[1], w[1], mul) + x) & _MASK,
        mul,
    )


def fingerprint_cat64(first: int, second: int) -> int:
    """TF's ``FingerprintCat64``: one fingerprint of two (order matters).

    Examples
    --------
    >>> fingerprint_cat64(1, 2) != fingerprint_cat64(2, 1)
    True
    """
    result = first ^ _MUL
    result ^= (_shift_mix((second * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def hash64(s: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TF's ``Hash64`` of ``s`` (MurmurHash2-64A).

    Examples
    --------
    >>> hash64(b"abc") == hash64(b"abc") != hash64(b"abd")
    True
    """
    length = len(s)
    h = (seed ^ (length * _MUL)) & _MASK
    whole = length - length % 8
    for at in range(0, whole, 8):
        k = (_fetch64(s, at) * _MUL) & _MASK
        k = ((k ^ (k >> 47)) * _MUL) & _MASK
        h = ((h ^ k) * _MUL) & _MASK
    tail = s[whole:]
    if tail:
        h = ((h ^ int.from_bytes(tail, "little")) * _MUL) & _MASK
    h = ((h ^ (h >> 47)) * _MUL) & _MASK
    return h ^ (h >> 47)


def _sip_round(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    def rotl(value: int, shift: int) -> int:
        return ((value << shift) | (value >> (64 - shift))) & _MASK

    v0 = (v0 + v1) & _MASK
    v1 = rotl(v1, 13) ^ v0
    v0 = rotl(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = rotl(v1, 17) ^ v2
    v2 = rotl(v2, 32)
    return v0, v1, v2, v3


def siphash(key: tuple[int, int], s: bytes) -> int:
    """SipHash-2-4 of ``s`` under the 128-bit ``key`` (two unsigned 64-bit halves).

    Examples
    --------
    >>> key = (0x0706050403020100, 0x0F0E0D0C0B0A0908)  # the reference vectors' key
    >>> hex(siphash(key, b""))
    '0x726fdb47dd0e0e31'
    """
    k0, k1 = (k & _MASK for k in key)
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    length = len(s)
    padded = s + bytes(7 - length % 8) + bytes([length & 0xFF])
    for at in range(0, len(padded), 8):
        m = _fetch64(padded, at)
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3
