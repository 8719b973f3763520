"""A small PNG decoder for the grayscale images of Omniglot (no Pillow needed)."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from autometa.exceptions import DataError

__all__ = ["decode_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _unfilter(raw: np.ndarray, height: int, stride: int, bpp: int) -> np.ndarray:
    """Undo the per-row PNG filters; rows with filter 0 (all of Omniglot's) cost nothing."""
    rows = raw.reshape(height, stride + 1)
    filters, data = rows[:, 0], rows[:, 1:].astype(np.int32)
    if not filters.any():
        return data.astype(np.uint8)
    out = np.zeros_like(data)
    for r in range(height):
        line, prev = data[r], (out[r - 1] if r else np.zeros(stride, np.int32))
        f = filters[r]
        if f == 0:
            out[r] = line
        elif f == 2:
            out[r] = (line + prev) & 0xFF
        else:  # Sub, Average, Paeth depend on the bytes to the left: byte by byte
            cur = out[r]
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                up = prev[i]
                upleft = prev[i - bpp] if i >= bpp else 0
                if f == 1:
                    pred = left
                elif f == 3:
                    pred = (left + up) // 2
                elif f == 4:
                    p = left + up - upleft
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else upleft)
                else:
                    raise DataError(f"Unknown PNG filter type {f}.")
                cur[i] = (line[i] + pred) & 0xFF
    return out.astype(np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    """Decode a non-interlaced grayscale PNG into a float32 array in ``[0, 1]``.

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` float32, 0 black and 1 white.

    Raises
    ------
    DataError
        For anything but a grayscale (colour type 0) non-interlaced PNG of bit depth
        1, 2, 4 or 8.
    """
    if data[:8] != _SIGNATURE:
        raise DataError("Not a PNG file.")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise DataError("PNG without an IHDR chunk.")
    width, height, depth, colour, _, _, interlace = header
    if colour != 0 or interlace != 0 or depth not in (1, 2, 4, 8):
        raise DataError(f"Only non-interlaced grayscale PNGs are supported (got colour type {colour}, "
                        f"bit depth {depth}, interlace {interlace}).")
    stride = (width * depth + 7) // 8
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    rows = _unfilter(raw, height, stride, bpp=1)
    if depth == 8:
        pixels = rows[:, :width]
    else:
        bits = np.unpackbits(rows, axis=1)
        per = 8 // depth
        if depth > 1:
            bits = bits.reshape(height, -1, depth) @ (1 << np.arange(depth - 1, -1, -1))
            bits = bits.reshape(height, stride * per)
        pixels = bits[:, :width]
    return pixels.astype(np.float32) / float((1 << depth) - 1)
