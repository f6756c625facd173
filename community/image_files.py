"""Decoding an uploaded image and writing a clean copy of it, with Pillow.

What a file is comes from decoding it, never from its name or the type the browser claims: only
the PNG, JPEG and WebP decoders are offered the bytes. The pixel count is checked from the header,
before anything is decoded, so a small file that would unpack into gigabytes (a decompression
bomb) is refused cheaply. The copy is encoded again from the pixels alone, turned upright first as
the camera's orientation tag says: EXIF (GPS position, camera serial number), XMP, colour profiles,
comments and anything appended after the image data stay behind. An animated image keeps its
first frame.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from community.errors import DomainError, Invalid, UnsupportedMediaType

# Pillow's format name -> what we store it as.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# The modes each format is written in as they are; any other is converted first.
_KEPT_MODES = {
    "PNG": {"1", "L", "LA", "RGB", "RGBA"},
    "JPEG": {"L", "RGB"},
    "WEBP": {"RGB", "RGBA"},
}
_SAVE_OPTIONS: dict[str, dict[str, int | bool]] = {
    "PNG": {},
    "JPEG": {"quality": 85},
    "WEBP": {"quality": 85},
}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean(data: bytes, *, max_pixels: int) -> CleanImage:
    """A re-encoded copy of the image ``data`` holds; UnsupportedMediaType when it is not a PNG,
    JPEG or WebP image, Invalid when it has more than ``max_pixels`` or cannot be decoded."""
    with warnings.catch_warnings():
        # Pillow warns, then refuses, past its own (higher) pixel limit: both are a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                _check_pixels(image.width, image.height, max_pixels)
                # Pillow names a JPEG with more pictures in it (as many phones write) MPO.
                image_format = "JPEG" if image.format == "MPO" else str(image.format)
                image.seek(0)
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, image_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
        except UnidentifiedImageError:
            raise UnsupportedMediaType(
                "This file is not a PNG, JPEG or WebP image. Take a screenshot or a photo in "
                "one of those formats and try again."
            ) from None
        except DomainError:
            raise
        except Exception:  # hostile files make Pillow's decoders raise all kinds of errors
            raise Invalid(
                "This image is damaged or cut short and cannot be shown. Try saving it again."
            ) from None


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)


def _too_many_pixels(max_pixels: int) -> Invalid:
    return Invalid(
        "This image has too many pixels: at most %(megapixels)s megapixels. Make it smaller "
        "and try again.",
        megapixels=max_pixels // 1_000_000,
    )


def _encode(image: Image.Image, image_format: str) -> CleanImage:
    pixels = _in_a_kept_mode(image, image_format)
    pixels.info = {}  # nothing of the original's metadata reaches the encoder
    buffer = io.BytesIO()
    pixels.save(buffer, format=image_format, **_SAVE_OPTIONS[image_format])
    return CleanImage(
        data=buffer.getvalue(),
        content_type=FORMATS[image_format],
        width=pixels.width,
        height=pixels.height,
    )


def _in_a_kept_mode(image: Image.Image, image_format: str) -> Image.Image:
    if image.mode in _KEPT_MODES[image_format]:
        return image.copy()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image_format == "JPEG" or not has_alpha:
        return image.convert("RGB")
    return image.convert("RGBA")
