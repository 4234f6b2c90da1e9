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
    draw.rectangle((0, 300, width, 300 + width), fill=(rng.randrange(256), 120, 200))
    for _ in range(400):  # a "photo" area with detail
        x, y = rng.randrange(width), 300 + rng.randrange(width)
        draw.ellipse((x, y, x + rng.randrange(8, 80), y + rng.randrange(8, 80)),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
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
