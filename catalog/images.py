"""Pillow work on product images, without the database: checking an upload, making its stored
original, making renditions. The services (``catalog.services``) and the background task
(``catalog.tasks``) call these.

What an upload must be (docs/catalog.md "Images"):

- a JPEG, PNG or WebP picture, judged by its content (Pillow opens it with only those three
  decoders; the file name and the declared type are ignored): else :class:`ImageUnsupported` (415);
- at most ``max_pixels`` pixels, checked from the header before anything is decoded, so a
  decompression bomb (a few KB that decode to gigabytes) is refused cheaply: else
  :class:`ImageInvalid` (400); Pillow's own ``DecompressionBombWarning``/``Error`` count too;
- decodable to the end: else :class:`ImageInvalid` (400).

The stored original is re-encoded: EXIF orientation applied to the pixels, then every metadata
block (EXIF with any GPS position, XMP, comments, PNG text) left out; only the ICC colour profile
is kept, since it changes how the pixels look.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import ImageInvalid, ImageUnsupported

# Pillow format name -> (file extension, media type). Nothing else is ever opened.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
JPEG_QUALITY = 88
WEBP_QUALITY = 82


@dataclass(frozen=True)
class EncodedImage:
    """Encoded bytes of a picture with its format (``JPEG``, ``PNG``, ``WEBP``) and size."""

    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]


def _open(stream: IO[bytes], *, max_pixels: int) -> Image.Image:
    """The decoded first frame of ``stream``; raises the upload errors of the module docstring."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream, formats=list(FORMATS))
        except UnidentifiedImageError:
            raise ImageUnsupported(
                details={"file": "not a JPEG, PNG or WebP image"},
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
        width, height = image.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageInvalid(
                "The image cannot be decoded.", details={"file": "truncated or corrupt image"}
            ) from None
    return image


def _too_many_pixels(max_pixels: int) -> ImageInvalid:
    return ImageInvalid(
        f"The image has more than {max_pixels} pixels.", details={"file": f"at most {max_pixels} pixels"}
    )


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    """``image`` in a mode that ``fmt`` can store (transparency flattened on white for JPEG)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if fmt == "JPEG":
        if has_alpha:
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            return background
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if fmt == "WEBP":
        if has_alpha:
            return image if image.mode == "RGBA" else image.convert("RGBA")
        return image if image.mode == "RGB" else image.convert("RGB")
    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):  # PNG
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, fmt: str, *, icc_profile: bytes | None) -> EncodedImage:
    """Encode ``image`` as ``fmt`` with no metadata but the ICC profile."""
    image = _for_format(image, fmt)
    image.info = {}  # nothing of the source's metadata may reach the encoder
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY, method=4)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return EncodedImage(content=buffer.getvalue(), format=fmt, width=image.width, height=image.height)


def image_normalise(stream: IO[bytes], *, max_pixels: int) -> EncodedImage:
    """The original to store for an upload: same format, EXIF orientation applied, metadata stripped.

    Raises :class:`ImageUnsupported` (415) or :class:`ImageInvalid` (400).
    """
    image = _open(stream, max_pixels=max_pixels)
    fmt = image.format or ""
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # a new image: the source keeps its EXIF
    return _encode(upright, fmt, icc_profile=icc_profile)


def rendition_plan(*, width: int, fmt: str, widths: Iterable[int]) -> list[tuple[int, str]]:
    """``(width, format)`` of the renditions of a picture ``width`` pixels wide in ``fmt``: each
    configured width below the picture's, in its own format and in WebP (never enlarged); a
    picture narrower than all of them gets one WebP copy at its own width (if it is not WebP)."""
    formats = [fmt] if fmt == "WEBP" else [fmt, "WEBP"]
    targets = sorted({w for w in widths if 0 < w < width})
    plan = [(w, f) for w in targets for f in formats]
    if not plan and fmt != "WEBP":
        plan = [(width, "WEBP")]
    return plan


def rendition_make(original: bytes, *, width: int, fmt: str) -> EncodedImage:
    """A copy of the stored ``original`` scaled to ``width`` (aspect ratio kept) and encoded as ``fmt``."""
    image: Image.Image = Image.open(io.BytesIO(original), formats=list(FORMATS))
    height = max(1, round(image.height * width / image.width))
    image.draft("RGB", (width, height))  # JPEG: decode at a reduced scale when it can
    image.load()
    icc_profile = image.info.get("icc_profile")
    if image.width != width:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _encode(image, fmt, icc_profile=icc_profile)
