"""What the demo's modules share: the logins' password, a generated screenshot, the plan of a
past case and the links its reports give."""

import io
from dataclasses import dataclass, field
from datetime import datetime

from PIL import Image, ImageDraw

PASSWORD = "demo-password-123"  # noqa: S105  (printed for the demo on purpose)
LINKS = {
    "instagram": "https://www.instagram.com/p/DhDemo{n:04d}/",
    "facebook": "https://www.facebook.com/warga.demo/posts/91{n:07d}",
    "youtube": "https://www.youtube.com/watch?v=demoHist{n:04d}",
    "tiktok": "https://www.tiktok.com/@warga.demo/video/73{n:017d}",
}


@dataclass
class Plan:
    """One past case as it should end up."""

    n: int
    code: str
    region: str
    party: str
    created: datetime
    reports: int
    status: str
    outcome: str | None = None
    reason: str | None = None
    response_h: float | None = None
    resolution_h: float | None = None
    referral: dict | None = None
    publish: bool = False
    emails: list[int] = field(default_factory=list)


def screenshot(label: str, seed: int) -> bytes:
    """A small generated PNG that looks like a phone screenshot."""
    image = Image.new("RGB", (360, 640), (240 - seed * 9 % 80, 245, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 360, 56), fill=(30 + seed * 20 % 200, 60, 120))
    draw.text((16, 20), label, fill=(255, 255, 255))
    for row in range(8):
        draw.rectangle(
            (16, 90 + row * 60, 344 - (row * 37 + seed * 11) % 150, 120 + row * 60),
            fill=(200, 205 - row * 5, 215),
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
