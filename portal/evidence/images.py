"""The image pipeline: check, decode, orient, strip and re-encode one uploaded image.

Pure functions on bytes; no Flask needed (messages are lazy strings, translated when shown).
"""

import hashlib
import io
import logging
import struct
from dataclasses import dataclass

import imagehash
import numpy as np
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageDraw, ImageFile, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Decided by Pillow from the bytes. A JPEG from some phone cameras opens as "MPO".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_OPEN_FORMATS = list(ACCEPTED_FORMATS)
# Photos stay photos (a PNG of a photo is several times larger and no sharper); quality 93 with
# chroma subsampling off keeps text and thin coloured lines crisp.
JPEG_QUALITY = 93
# PNG level 1: this runs per upload, and most of its time is Pillow's per-row filter choice,
# not zlib. On a 1080x2400 screenshot with a photo in it level 1 took 82 ms against 127 ms at
# level 3 and came out 2 % smaller; on plain text and flat colours it took the same time and
# came out 5 % larger (bench/intake.py shows the whole request).
PNG_LEVEL = 1
# The thumbnail first shrinks by a whole factor (box filter) to at least twice its size, then
# Lanczos: 7 ms instead of 17 ms from a 1080x2400 image, and alike at 480 pixels.
THUMB_REDUCING_GAP = 2.0
THUMB_QUALITY = 80

MESSAGES = {
    "too_large": _l("Each screenshot may be at most %(mib)s MiB. Please send a smaller file."),
    "too_many_pixels": _l(
        "The image is too large: at most %(mp)s megapixels are accepted. "
        "Please send a screenshot or a smaller photo."
    ),
    "too_wide": _l(
        "The image is too large: at most %(side)s pixels per side are accepted. "
        "Please send a screenshot or a smaller photo."
    ),
    "unsupported_type": _l("Only JPEG, PNG, WebP or GIF images are accepted."),
    "not_an_image": _l(
        "This file is not an image. Only JPEG, PNG, WebP or GIF images are accepted."
    ),
    "truncated": _l(
        "The image is damaged or incomplete. Please send the file again or take a new screenshot."
    ),
}


class ImageRejected(Exception):
    """An upload that is not an acceptable image; `message` tells the reporter what to change."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return MESSAGES[self.code] % self.params if self.params else MESSAGES[self.code]


@dataclass(frozen=True)
class ProcessedImage:
    original: bytes
    original_format: str  # JPEG | PNG | WEBP | GIF
    clean: bytes
    clean_mime: str
    clean_ext: str
    thumb: bytes
    thumb_mime: str
    sha256_original: str
    sha256_clean: str
    width: int
    height: int
    phash: str  # 64-bit perceptual hash, 16 hex characters


def process_image(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int, thumb_side: int
) -> ProcessedImage:
    """Check and decode an upload, then make a clean copy, a thumbnail and fingerprints."""
    image = accept_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    return finish_image(data, image, thumb_side=thumb_side)


def accept_image(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> Image.Image:
    """Every check that can refuse an upload: size, type, dimensions, a complete decode."""
    if len(data) > max_bytes:
        raise ImageRejected("too_large", mib=max_bytes // (1024 * 1024))
    return open_checked(data, max_pixels=max_pixels, max_side=max_side)


def finish_image(
    data: bytes, image: Image.Image, *, thumb_side: int, sha256_original: str | None = None
) -> ProcessedImage:
    """The clean copy, thumbnail and fingerprints of an image accept_image() let through
    (`sha256_original`: the upload's digest, when the caller has it already)."""
    fmt = "JPEG" if image.format == "MPO" else str(image.format)
    lossless = fmt in ("PNG", "GIF") or (fmt == "WEBP" and webp_is_lossless(data))
    image = normalise(image)
    clean, mime, ext = encode_clean(image, as_png=lossless or "A" in image.mode)
    thumb_image = make_thumbnail(image, thumb_side)
    thumb = io.BytesIO()
    thumb_image.save(thumb, "WEBP", quality=THUMB_QUALITY, method=2)
    return ProcessedImage(
        original=data,
        original_format=fmt,
        clean=clean,
        clean_mime=mime,
        clean_ext=ext,
        thumb=thumb.getvalue(),
        thumb_mime="image/webp",
        sha256_original=sha256_original or hashlib.sha256(data).hexdigest(),
        sha256_clean=hashlib.sha256(clean).hexdigest(),
        width=image.width,
        height=image.height,
        # From the thumbnail: phash shrinks to 32x32 anyway, and this is ~10x cheaper.
        phash=str(imagehash.phash(thumb_image)),
    )


def open_checked(data: bytes, *, max_pixels: int, max_side: int) -> Image.Image:
    """Identify the format from the bytes, check the header's size, then decode fully."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a process-wide switch some library may flip
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fired while reading the header: far beyond our limits anyway.
        raise ImageRejected("too_many_pixels", mp=max_pixels // 1_000_000) from None
    except UnidentifiedImageError:
        raise ImageRejected(classify_unknown(data)) from None
    except (OSError, SyntaxError, ValueError, struct.error):
        raise ImageRejected("truncated") from None
    width, height = image.size
    if max(width, height) > max_side:
        raise ImageRejected("too_wide", side=max_side)
    if width * height > max_pixels:
        raise ImageRejected("too_many_pixels", mp=max_pixels // 1_000_000)
    try:
        image.load()  # first frame only for animations; raises on a truncated file
    except (OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise ImageRejected("truncated") from None
    return image


def classify_unknown(data: bytes) -> str:
    """Markup (SVG, HTML) and other image kinds are 'unsupported'; anything else is no image."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        head.startswith(b"<")
        or any(head.startswith(magic) for magic in (b"bm", b"ii*\x00", b"mm\x00*", b"%pdf"))
        or head[4:8] == b"ftyp"
    ):  # HEIC/AVIF
        return "unsupported_type"
    return "not_an_image"


def webp_is_lossless(data: bytes) -> bool:
    """True when the WebP's image chunk is VP8L (lossless), walking the RIFF chunks."""
    pos = 12
    while pos + 8 <= min(len(data), 1 << 20):
        tag, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if tag in (b"VP8L", b"VP8 "):
            return tag == b"VP8L"
        pos += 8 + size + (size & 1)
    return False


def normalise(image: Image.Image) -> Image.Image:
    """Upright, sRGB, 8 bits per channel, no metadata left in `info`."""
    image = ImageOps.exif_transpose(image, in_place=False) if _has_orientation(image) else image
    icc = image.info.get("icc_profile")
    if image.mode == "CMYK" or (icc and image.mode in ("RGB", "RGBA")):
        image = to_srgb(image, icc)
    elif image.mode in ("I;16", "I;16B", "I;16L", "I", "I;16N"):
        # 16-bit grey: keep the top 8 bits (a plain convert clips everything above 255 to white).
        image = Image.fromarray((np.asarray(image, dtype=np.uint32) >> 8).astype(np.uint8), "L")
    elif image.mode in ("P", "PA", "LA", "La") or "transparency" in image.info:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    image.info = {}
    return image


def _has_orientation(image: Image.Image) -> bool:
    try:
        return image.getexif().get(0x0112, 1) not in (1, None)
    except Exception:  # noqa: BLE001  (a broken EXIF block must not refuse a good image)
        return False


_SRGB = ImageCms.createProfile("sRGB")


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert with the embedded ICC profile when there is one, else Pillow's plain formula."""
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(source).lower():
                return image
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
            if converted is not None:  # None only when converting in place
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.info("Unusable ICC profile in an upload; converting without it")
    return image if image.mode == mode else image.convert(mode)


def encode_clean(image: Image.Image, *, as_png: bool) -> tuple[bytes, str, str]:
    """The stored copy: PNG for screenshots and anything with alpha, high-quality JPEG else."""
    out = io.BytesIO()
    if as_png:
        image.save(out, "PNG", compress_level=PNG_LEVEL)
        return out.getvalue(), "image/png", "png"
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue(), "image/jpeg", "jpg"


def make_thumbnail(image: Image.Image, side: int) -> Image.Image:
    """At most `side` pixels on the long edge, never enlarged."""
    scale = min(1.0, side / max(image.width, image.height))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    thumb = (
        image
        if size == image.size
        else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=THUMB_REDUCING_GAP)
    )
    return thumb if thumb.mode in ("RGB", "RGBA", "L") else thumb.convert("RGB")


# Redaction: black boxes drawn on the clean copy, for publishing.
MAX_BOXES = 50
BOX_MESSAGES = {
    "x_outside": _l("The left edge must be a whole number from 0 to %(max)s."),
    "y_outside": _l("The top edge must be a whole number from 0 to %(max)s."),
    "width_small": _l("A box must be at least 1 pixel wide."),
    "height_small": _l("A box must be at least 1 pixel high."),
    "past_right": _l("The box reaches past the right edge: at most %(max)s pixels wide here."),
    "past_bottom": _l("The box reaches past the bottom edge: at most %(max)s pixels high here."),
}


@dataclass(frozen=True)
class Box:
    """An opaque rectangle in the clean copy's pixels: left, top, width and height."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class BoxProblem:
    """What is wrong with one number of one box; `message` is for the field."""

    field: str  # x | y | width | height
    code: str
    params: dict

    @property
    def message(self) -> str:
        return BOX_MESSAGES[self.code] % self.params if self.params else BOX_MESSAGES[self.code]


class BoxesRejected(Exception):
    """Boxes that cannot be drawn: problems by box index, or too many / no boxes at all."""

    def __init__(self, problems: dict[int, list[BoxProblem]], count: str = "") -> None:
        self.problems = problems
        self.count = count  # "none" | "too_many" | ""
        super().__init__(count or f"{len(problems)} boxes refused")


def box_problems(box: Box, *, width: int, height: int) -> list[BoxProblem]:
    """Every reason `box` does not lie inside a width x height image (empty when it does)."""
    found = []
    if not 0 <= box.x < width:
        found.append(BoxProblem("x", "x_outside", {"max": width - 1}))
    if not 0 <= box.y < height:
        found.append(BoxProblem("y", "y_outside", {"max": height - 1}))
    if box.width < 1:
        found.append(BoxProblem("width", "width_small", {}))
    elif 0 <= box.x < width and box.x + box.width > width:
        found.append(BoxProblem("width", "past_right", {"max": width - box.x}))
    if box.height < 1:
        found.append(BoxProblem("height", "height_small", {}))
    elif 0 <= box.y < height and box.y + box.height > height:
        found.append(BoxProblem("height", "past_bottom", {"max": height - box.y}))
    return found


def check_boxes(boxes: list[Box], *, width: int, height: int, max_boxes: int = MAX_BOXES) -> None:
    """Raise BoxesRejected unless there are 1..max_boxes boxes, each inside the image."""
    if not boxes:
        raise BoxesRejected({}, "none")
    if len(boxes) > max_boxes:
        raise BoxesRejected({}, "too_many")
    problems = {}
    for n, box in enumerate(boxes):
        found = box_problems(box, width=width, height=height)
        if found:
            problems[n] = found
    if problems:
        raise BoxesRejected(problems)


@dataclass(frozen=True)
class RedactedImage:
    data: bytes
    mime: str
    ext: str
    thumb: bytes
    sha256: str
    width: int
    height: int


def draw_boxes(clean: bytes, boxes: list[Box], *, thumb_side: int) -> RedactedImage:
    """A new copy of a clean copy with every box filled opaque black, in the clean copy's
    format (PNG stays lossless), and its thumbnail. Raises BoxesRejected first."""
    opened = Image.open(io.BytesIO(clean), formats=["PNG", "JPEG"])
    as_png = opened.format == "PNG"
    opened.load()
    check_boxes(boxes, width=opened.width, height=opened.height)
    image: Image.Image = opened
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    inks: dict[str, int | tuple[int, ...]] = {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "L": 0}
    black = inks[image.mode]
    draw = ImageDraw.Draw(image)
    for box in boxes:
        right, bottom = box.x + box.width - 1, box.y + box.height - 1
        draw.rectangle([box.x, box.y, right, bottom], fill=black)
    data, mime, ext = encode_clean(image, as_png=as_png)
    thumb = io.BytesIO()
    make_thumbnail(image, thumb_side).save(thumb, "WEBP", quality=THUMB_QUALITY, method=2)
    return RedactedImage(
        data=data,
        mime=mime,
        ext=ext,
        thumb=thumb.getvalue(),
        sha256=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
    )
