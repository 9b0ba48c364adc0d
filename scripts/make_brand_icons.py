"""Draw the brand icons of the integrations (brand/icon.png 256 px, icon@2x.png 512 px).

Run with the project's venv: .venv/bin/python scripts/make_brand_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]


def sauna(side: int) -> Image.Image:
    """A heater with stones and three rising steam curls on a warm wooden tile."""
    s = side / 256
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=48 * s, fill=(176, 98, 44, 255))
    for y in (70, 120, 170):  # wall planks
        draw.line((24 * s, y * s, 232 * s, y * s), fill=(150, 80, 34, 255), width=int(4 * s))
    draw.rounded_rectangle(
        (64 * s, 150 * s, 192 * s, 222 * s), radius=10 * s, fill=(46, 46, 52, 255)
    )
    for i, x in enumerate(range(76, 184, 22)):  # stones
        draw.ellipse((x * s, (132 + (i % 2) * 6) * s, (x + 26) * s, (160 + (i % 2) * 6) * s),
                     fill=(118, 118, 124, 255))  # fmt: skip
    for x in (92, 128, 164):  # steam
        for k in range(3):
            top = (40 + k * 28) * s
            offset = (10 if k % 2 else -10) * s
            draw.arc((x * s - 14 * s + offset, top, x * s + 14 * s + offset, top + 30 * s),
                     start=90 if k % 2 else 270, end=270 if k % 2 else 90,
                     fill=(255, 244, 230, 255), width=int(7 * s))  # fmt: skip
    return image


def home_shield(side: int) -> Image.Image:
    """A house with a lit window inside a shield, on a deep blue tile."""
    s = side / 256
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=48 * s, fill=(24, 58, 110, 255))
    shield = [(128, 30), (212, 62), (204, 150), (128, 226), (52, 150), (44, 62)]
    draw.polygon([(x * s, y * s) for x, y in shield], fill=(240, 246, 252, 255))
    draw.polygon(
        [(128 * s, 70 * s), (184 * s, 118 * s), (72 * s, 118 * s)], fill=(24, 58, 110, 255)
    )
    draw.rectangle((86 * s, 116 * s, 170 * s, 178 * s), fill=(24, 58, 110, 255))
    draw.rectangle((114 * s, 132 * s, 142 * s, 160 * s), fill=(255, 200, 70, 255))
    return image


def iot_cloud(side: int) -> Image.Image:
    """A white cloud with three connected things below it, on Telenor's blue tile."""
    s = side / 256
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=48 * s, fill=(0, 92, 185, 255))
    white = (255, 255, 255, 255)
    for box in ((52, 78, 124, 150), (96, 48, 184, 136), (150, 84, 210, 144)):  # cloud puffs
        draw.ellipse(tuple(v * s for v in box), fill=white)
    draw.rounded_rectangle((52 * s, 112 * s, 210 * s, 150 * s), radius=19 * s, fill=white)
    for x in (76, 128, 180):  # things, wired to the cloud
        draw.line((128 * s, 150 * s, x * s, 196 * s), fill=white, width=int(6 * s))
        draw.ellipse(((x - 16) * s, 184 * s, (x + 16) * s, 216 * s), fill=(0, 200, 255, 255))
    return image


DRAWINGS = {"harvia": sauna, "homely": home_shield, "telenor_mic": iot_cloud}


def main() -> None:
    for domain, draw in DRAWINGS.items():
        brand = ROOT / "custom_components" / domain / "brand"
        brand.mkdir(parents=True, exist_ok=True)
        draw(256).save(brand / "icon.png", optimize=True)
        draw(512).save(brand / "icon@2x.png", optimize=True)


if __name__ == "__main__":
    main()
