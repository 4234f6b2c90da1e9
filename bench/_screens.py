"""Synthetic phone screenshots for the benchmarks: flat colours, text-like strokes, an image."""

import io
import random

from PIL import Image, ImageDraw


def screenshot_png(width: int = 1080, height: int = 2400, seed: int = 1) -> bytes:
    """A PNG that compresses and decodes like a social-media screenshot."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 140), fill=(250, 250, 250))
    # the post's photo: a square of photographic detail (fractal plus sensor-like noise), the
    # part of a real Instagram screenshot that makes its PNG large
    detail = Image.effect_mandelbrot((width, width), (-0.75 - 0.1 * seed, 0.1, -0.7, 0.15), 200)
    noise = Image.effect_noise((width, width), 18)
    photo = Image.merge("RGB", (detail, Image.blend(detail, noise, 0.5), noise))
    image.paste(photo, (0, 300))
    y = 300 + width + 40
    while y < height - 60:  # lines of "text"
        x = 40
        while x < width - 80:
            w = rng.randrange(20, 120)
            draw.rectangle((x, y, x + w, y + 22), fill=(20, 20, 20))
            x += w + 14
        y += 44
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
