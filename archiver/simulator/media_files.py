"""Real file bytes for simulated media, made in pure Python and deterministic for a seed.

- images: true PNG files (colour gradients) that any browser shows; photos use them too;
- voice: a playable Ogg Opus stream of silence; audio: MPEG-1 Layer III frames of silence;
- video/GIF/round: a minimal but well-formed ISO-BMFF (MP4) container (`ftyp`+`moov`/`mvhd`+`mdat`)
  with no video track — generating real H.264 in pure Python is out of scope; players accept it as
  an empty movie;
- thumbnails of videos and documents: JPEG, encoded by Pillow;
- video stickers: a minimal EBML/WebM header with segment info; animated stickers: gzipped Lottie
  JSON (.tgs); documents: a one-page PDF or UTF-8 text.
"""

from __future__ import annotations

import functools
import gzip
import json
import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=64)
def _gradient_rows(width: int, height: int, palette: int) -> tuple[bytes, ...]:
    r0, g0, b0 = (palette * 67) % 256, (palette * 131) % 256, (palette * 29) % 256
    r1, g1, b1 = 255 - r0, (g0 + 90) % 256, (b0 + 160) % 256
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            t = (x + y) / max(1, width + height - 2)
            row += bytes(
                (int(r0 + (r1 - r0) * t), int(g0 + (g1 - g0) * t), int(b0 + (b1 - b0) * t))
            )
        rows.append(bytes(row))
    return tuple(rows)


def png_gradient(width: int, height: int, seed: int) -> bytes:
    """An RGB PNG: a diagonal gradient (one of 32 palettes) under a top row coding `seed`,
    so different seeds give different bytes while generation stays fast."""
    rows = list(_gradient_rows(width, height, seed % 32))
    marker = seed.to_bytes(8, "big", signed=True) * (width * 3 // 8 + 1)
    rows[0] = b"\x00" + marker[: width * 3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _png_chunk(b"IEND", b"")
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_minimal(duration_s: float, seed: int) -> bytes:
    """A well-formed MP4 container (ftyp, moov/mvhd, mdat) carrying `seed` in its mdat."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = (
        b"\x00\x00\x00\x00"  # version 0, flags
        + struct.pack(">IIII", 0, 0, 1000, int(duration_s * 1000))
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 10
        + struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
        + b"\x00" * 24
        + struct.pack(">I", 2)
    )
    return ftyp + _box(b"moov", _box(b"mvhd", mvhd)) + _box(b"mdat", struct.pack(">q", seed))


def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, initial value 0)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[(crc >> 24) ^ byte]
    return crc


def _ogg_page(packets: list[bytes], granule: int, serial: int, seq: int, flags: int) -> bytes:
    lacing = bytearray()
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes((len(packet) % 255,))
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, seq, 0, len(lacing))
    page = header + bytes(lacing) + b"".join(packets)
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def ogg_opus_silence(duration_s: float, seed: int) -> bytes:
    """A playable Ogg Opus file of silence (20 ms CELT silence frames), as Telegram voice notes."""
    serial = seed & 0x7FFFFFFF
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 8) + b"tgmirror" + struct.pack("<I", 0)
    frames = max(1, int(duration_s * 50))
    pages = [_ogg_page([head], 0, serial, 0, 2), _ogg_page([tags], 0, serial, 1, 0)]
    per_page, seq, done = 50, 2, 0
    while done < frames:
        n = min(per_page, frames - done)
        done += n
        flags = 4 if done == frames else 0
        pages.append(_ogg_page([b"\xf8\xff\xfe"] * n, 312 + done * 960, serial, seq, flags))
        seq += 1
    return b"".join(pages)


def mp3_silence(duration_s: float) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz frames with empty main data (silence)."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return frame * max(1, int(duration_s * 44100 / 1152))


def webm_minimal(duration_s: float, seed: int) -> bytes:
    """An EBML header (DocType webm) and a Segment with Info (timecode scale, duration)."""

    def element(ident: bytes, payload: bytes) -> bytes:
        return ident + bytes((0x80 | len(payload),)) + payload

    ebml = element(
        b"\x1a\x45\xdf\xa3",
        element(b"\x42\x86", b"\x01")
        + element(b"\x42\xf7", b"\x01")
        + element(b"\x42\xf2", b"\x04")
        + element(b"\x42\xf3", b"\x08")
        + element(b"\x42\x82", b"webm")
        + element(b"\x42\x87", b"\x04")
        + element(b"\x42\x85", b"\x02"),
    )
    info = element(
        b"\x15\x49\xa9\x66",
        element(b"\x2a\xd7\xb1", b"\x0f\x42\x40")
        + element(b"\x44\x89", struct.pack(">d", duration_s * 1000))
        + element(b"\x4d\x80", f"tgmirror-{seed}".encode()[:20]),
    )
    return ebml + element(b"\x18\x53\x80\x67", info)


def tgs_sticker(seed: int) -> bytes:
    """An animated sticker: gzipped Lottie JSON with one pulsing circle."""
    colour = [(seed * 37 % 256) / 255, (seed * 91 % 256) / 255, 0.5, 1]
    lottie = {
        "v": "5.5.2",
        "fr": 60,
        "ip": 0,
        "op": 60,
        "w": 512,
        "h": 512,
        "nm": f"sim{seed}",
        "ddd": 0,
        "assets": [],
        "layers": [
            {
                "ddd": 0,
                "ind": 1,
                "ty": 4,
                "nm": "circle",
                "sr": 1,
                "ip": 0,
                "op": 60,
                "st": 0,
                "ks": {
                    "o": {"a": 0, "k": 100},
                    "r": {"a": 0, "k": 0},
                    "p": {"a": 0, "k": [256, 256, 0]},
                    "a": {"a": 0, "k": [0, 0, 0]},
                    "s": {
                        "a": 1,
                        "k": [{"t": 0, "s": [80, 80, 100]}, {"t": 60, "s": [100, 100, 100]}],
                    },
                },
                "shapes": [
                    {"ty": "el", "p": {"a": 0, "k": [0, 0]}, "s": {"a": 0, "k": [300, 300]}},
                    {"ty": "fl", "c": {"a": 0, "k": colour}, "o": {"a": 0, "k": 100}},
                ],
            }
        ],
    }
    return gzip.compress(json.dumps(lottie).encode(), mtime=0)


def pdf_document(title: str) -> bytes:
    """A one-page PDF showing `title` (ASCII only; other characters become '?')."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 40 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def jpeg_gradient(width: int, height: int, seed: int) -> bytes:
    """A baseline JPEG (Pillow's encoder): the same gradient as `png_gradient`, as Telegram's
    thumbnails of videos and documents are JPEG."""
    import io

    from PIL import Image

    rows = _gradient_rows(width, height, seed % 32)
    raw = b"".join(row[1:] for row in rows)  # drop each PNG row's filter byte
    image = Image.frombytes("RGB", (width, height), raw)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
