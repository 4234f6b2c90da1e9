"""The image pipeline on the uploads the issue names: every image made here, in code."""

import hashlib
import io

import numpy as np
import pytest
from PIL import Image, ImageChops

from portal.evidence.images import ImageRejected, process_image
from tests.fixtures.images import encode, jpeg, png, png_header, screenshot

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

MiB = 1024 * 1024
LIMITS = {"max_bytes": 10 * MiB, "max_pixels": 40_000_000, "max_side": 20_000, "thumb_side": 480}


def process(data: bytes, **overrides):
    return process_image(data, **{**LIMITS, **overrides})


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def rejected(data: bytes, **overrides) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        process(data, **overrides)
    return info.value


def test_screenshot_stays_lossless_with_thumbnail_and_fingerprints():
    data = encode(screenshot())
    result = process(data)
    clean = decoded(result.clean)
    assert (result.original_format, result.clean_mime, result.clean_ext) == (
        "PNG",
        "image/png",
        "png",
    )
    assert (result.width, result.height) == clean.size == (1080, 2400)
    original = decoded(data).convert("RGB")
    assert ImageChops.difference(clean.convert("RGB"), original).getbbox() is None
    thumb = decoded(result.thumb)
    assert thumb.format == "WEBP" and max(thumb.size) == 480 and thumb.size[1] == 480
    assert result.sha256_original == hashlib.sha256(data).hexdigest()
    assert result.sha256_clean == hashlib.sha256(result.clean).hexdigest()
    assert result.original == data
    assert len(result.phash) == 16 and int(result.phash, 16) >= 0


def test_phash_survives_crop_and_whatsapp_recompression_but_not_another_image():
    import imagehash

    image = screenshot()
    # What a messenger does: status bar cropped off, scaled to 720 wide, JPEG quality 70.
    shared = encode(image.crop((0, 96, 1080, 2400)).resize((720, 1536)), "JPEG", quality=70)
    same = imagehash.hex_to_hash(process(encode(image)).phash)
    assert same - imagehash.hex_to_hash(process(shared).phash) <= 6
    another_post = encode(screenshot(seed=2))
    assert same - imagehash.hex_to_hash(process(another_post).phash) > 16


def test_file_over_the_size_limit_is_refused_before_decoding():
    error = rejected(b"\x89PNG\r\n\x1a\n" + b"\0" * (30 * MiB))
    assert error.code == "too_large"
    assert "10 MiB" in str(error.message)


@pytest.mark.parametrize(
    "payload",
    [
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10"/></svg>',
        b"%PDF-1.7\n1 0 obj\n",
    ],
)
def test_markup_and_other_types_are_refused_saying_what_is_allowed(payload):
    error = rejected(payload)
    assert error.code == "unsupported_type"
    assert "JPEG, PNG, WebP or GIF" in str(error.message)


def test_random_bytes_are_not_an_image():
    error = rejected(bytes(range(256)) * 4)
    assert error.code == "not_an_image"
    assert "JPEG, PNG, WebP or GIF" in str(error.message)


def test_png_header_claiming_65535_squared_is_refused_without_allocating():
    assert rejected(png_header(65535, 65535)).code == "too_many_pixels"


def test_pixel_and_side_limits_come_from_the_header():
    data = png(300, 200)
    assert rejected(data, max_pixels=50_000).code == "too_many_pixels"
    error = rejected(data, max_side=250)
    assert error.code == "too_wide" and "250" in str(error.message)


def test_truncated_jpeg_is_refused():
    data = jpeg(400, 400, seed=2)
    assert rejected(data[: len(data) // 2]).code == "truncated"


def test_jpeg_loses_gps_exif_and_comment_and_is_turned_upright():
    image = Image.new("RGB", (400, 200), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 100, 200))  # red band on the stored left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "S", 2: (3.0, 17.0, 42.0), 3: "E", 4: (102.0, 52.0, 1.0)})
    data = encode(image, "JPEG", quality=95, exif=exif, comment=b"secret comment from the phone")
    assert b"secret comment" in data and b"PhoneMaker" in data

    result = process(data)
    assert (result.width, result.height) == (200, 400)
    assert b"secret comment" not in result.clean and b"PhoneMaker" not in result.clean
    clean = decoded(result.clean)
    assert not clean.getexif() and "comment" not in clean.info and "exif" not in clean.info
    assert clean.size == (200, 400)
    # Displayed upright, the red band is along the top.
    red, green, blue = clean.getpixel((100, 20))
    assert red > 200 and green < 60 and blue < 60
    assert clean.getpixel((100, 380)) > (200, 200, 200)
    assert b"PhoneMaker" not in result.thumb


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="3,17.7S"/></rdf:RDF></x:xmpmeta>'
)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_xmp_exif_and_text_metadata_never_reach_the_clean_copy(fmt):
    from PIL import PngImagePlugin

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    extra = {"xmp": XMP, "exif": exif}
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Comment", "secret-text")
        extra = {"pnginfo": info, "exif": exif}
    data = encode(Image.new("RGB", (50, 40), (1, 2, 3)), fmt, **extra)
    assert b"GPSLatitude" in data and b"PhoneMaker" in data
    result = process(data)
    for blob in (result.clean, result.thumb):
        assert b"GPSLatitude" not in blob and b"PhoneMaker" not in blob
        assert b"secret-text" not in blob


def test_cmyk_jpeg_keeps_its_colours():
    cmyk = Image.new("RGB", (120, 80), (30, 90, 200)).convert("CMYK")
    result = process(encode(cmyk, "JPEG", quality=95))
    clean = decoded(result.clean)
    assert clean.mode == "RGB"
    assert all(abs(a - b) <= 8 for a, b in zip(clean.getpixel((60, 40)), (30, 90, 200)))


@pytest.mark.parametrize("profile", ["srgb", "broken"])
def test_icc_profile_is_not_kept_and_a_broken_one_does_not_refuse_the_image(profile):
    from PIL import ImageCms

    icc = (
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        if profile == "srgb"
        else b"not really a profile" * 10
    )
    data = encode(Image.new("RGB", (50, 50), (10, 200, 30)), "PNG", icc_profile=icc)
    assert "icc_profile" in decoded(data).info
    clean = decoded(process(data).clean)
    assert "icc_profile" not in clean.info
    assert clean.getpixel((5, 5)) == (10, 200, 30)


def test_16_bit_png_is_not_washed_out():
    values = np.array([[0, 16384, 32768, 65535]] * 4, dtype=np.uint16)
    data = encode(Image.fromarray(values))
    assert decoded(data).mode.startswith("I")
    clean = decoded(process(data).clean).convert("L")
    assert [clean.getpixel((x, 0)) for x in range(4)] == [0, 64, 128, 255]


def test_palette_png_with_transparency_keeps_it():
    image = Image.new("P", (20, 20), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 10, 20))
    clean = decoded(process(encode(image, "PNG", transparency=0)).clean)
    assert clean.mode == "RGBA"
    assert clean.getpixel((2, 2))[3] == 0 and clean.getpixel((15, 2)) == (255, 0, 0, 255)


def test_animated_gif_gives_its_first_frame_as_png():
    frames = [Image.new("RGB", (60, 40), color) for color in ((0, 128, 0), (0, 0, 255))]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = process(gif)
    assert result.original_format == "GIF" and result.clean_mime == "image/png"
    clean = decoded(result.clean)
    assert getattr(clean, "n_frames", 1) == 1
    assert clean.convert("RGB").getpixel((30, 20)) == (0, 128, 0)


@pytest.mark.parametrize("lossless", [True, False])
def test_webp_is_accepted(lossless):
    image = Image.new("RGB", (100, 60), (250, 200, 0))
    result = process(encode(image, "WEBP", lossless=lossless, quality=90))
    assert result.original_format == "WEBP"
    assert result.clean_mime == ("image/png" if lossless else "image/jpeg")
    red, green, blue = decoded(result.clean).convert("RGB").getpixel((50, 30))
    assert abs(red - 250) <= 6 and abs(green - 200) <= 6 and blue <= 10


def test_photo_jpeg_stays_jpeg_at_high_quality():
    result = process(jpeg(400, 300, seed=5, quality=85))
    assert result.clean_mime == "image/jpeg" and result.clean_ext == "jpg"
    assert decoded(result.clean).size == (400, 300)
