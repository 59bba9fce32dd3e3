"""Small fixture images and catalog sources for the data-layer tests (created in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

OFF_WHITE = (242, 238, 230)
GARMENT_BOX = (20, 80, 24, 52)  # top, bottom (exclusive), left, right (exclusive)


def garment_photo(
    colour: tuple[int, int, int] = (40, 60, 120),
    background: tuple[int, int, int] = OFF_WHITE,
    shape: tuple[int, int] = (96, 72),
    box: tuple[int, int, int, int] = GARMENT_BOX,
    shadow: bool = True,
) -> np.ndarray:
    """An opaque RGB product photo: a rectangular garment with a soft shadow on a plain background."""
    height, width = shape
    image = np.empty((height, width, 3), np.float32)
    image[:] = background
    if shadow:
        yy, xx = np.mgrid[:height, :width]
        centre_y, centre_x = (box[0] + box[1]) / 2 + 6, (box[2] + box[3]) / 2 + 5
        darkening = 35 * np.exp(-(((yy - centre_y) / 28) ** 2 + ((xx - centre_x) / 20) ** 2))
        image -= darkening[..., None]
    top, bottom, left, right = box
    image[top:bottom, left:right] = colour
    image[top + 10 : top + 14, left + 4 : right - 4] = background  # a near-background stripe inside
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def white_garment_rgba(shape: tuple[int, int] = (80, 60), box: tuple[int, int, int, int] = (10, 70, 15, 35)):
    """A white garment on a white background; only its alpha channel tells them apart."""
    image = np.full(shape + (4,), 255, np.uint8)
    image[:, :, 3] = 0
    top, bottom, left, right = box
    image[top:bottom, left:right, 3] = 255
    image[top:bottom, left:right, :3] = 250
    return image


def save_image(path: Path, array: np.ndarray, fmt: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, format=fmt)
    return path


def truncated_jpeg(path: Path) -> Path:
    """A JPEG file cut off half way."""
    save_image(path, garment_photo(), "JPEG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def blank_photo(shape: tuple[int, int] = (64, 48)) -> np.ndarray:
    """An image of nothing but background."""
    return np.full(shape + (3,), OFF_WHITE, np.uint8)


def simple_items(n: int, types=("pants", "jeans", "shorts"), genders=("men's", "women's")) -> list[dict]:
    """``n`` minimal catalog items cycling through types and genders."""
    items = []
    for i in range(n):
        kind, gender = types[i % len(types)], genders[(i // len(types)) % len(genders)]
        title = f"Acme {gender} navy {kind} 32W x 30L"
        items.append({"id": f"item{i:03d}", "title": title, "query": [f"{gender} navy {kind}"],
                      "type": kind, "gender": gender, "colour": "navy"})  # fmt: skip
    return items


def simple_images(n: int) -> list[np.ndarray]:
    """``n`` small garment photos in distinct colours."""
    return [garment_photo(colour=(10 + 7 * i % 200, 40, 120), shape=(48, 36), box=(8, 40, 10, 26))
            for i in range(n)]  # fmt: skip


FPI_HEADER = (
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName"
)


def photo_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(garment_photo(shape=(96, 72))).save(path, format="JPEG", quality=92)


def write_fpi_folder(root: Path) -> dict[str, str]:
    """A small Fashion Product Images folder with one example of each kind of bad input.

    Returns {id: expected skip kind or "kept"}.
    """
    images = root / "images"
    images.mkdir(parents=True)
    rows: list[bytes] = [FPI_HEADER.encode()]
    expected: dict[str, str] = {}

    def row(text: str, kind: str, key: str, photo: bool = True) -> None:
        rows.append(text.encode("utf-8"))
        expected[key] = kind
        if photo and key.isdigit():
            photo_file(images / f"{key}.jpg")

    row("1001,Men,Apparel,Bottomwear,Jeans,Blue,Fall,2011,Casual,Levis Men Blue Slim Jeans", "kept", "1001")
    row("1002,Women,Apparel,Bottomwear,Track Pants,Black,Fall,2012,Sports,Puma Women Black, Grey Track Pants",
        "kept", "1002")  # fmt: skip
    row("1003,Men,Apparel,Topwear,Tshirts,Red,Summer,2012,Casual,Nike Men Red Tshirt", "not a bottom", "1003")
    row("1004,Men,Apparel,Bottomwear,Shorts,Grey,Summer,2012,Casual,Men Grey Shorts", "missing image", "1004",
        photo=False)  # fmt: skip
    row("1005,Women,Apparel,Bottomwear,Capris,Pink,Summer,2012,Casual,Women Pink Capris", "unreadable image",
        "1005", photo=False)  # fmt: skip
    truncated_jpeg(images / "1005.jpg")
    row("1006,Men,Apparel,Bottomwear,Trousers,Khaki,Fall,2012,Formal,Men Khaki Trousers", "unreadable image",
        "1006", photo=False)  # fmt: skip
    (images / "1006.jpg").write_text("this is not an image")
    row("1007,Men,Apparel,Bottomwear,Shorts,Olive,Summer,2012,Casual,", "empty title", "1007")
    row("1008,NaN,Apparel,Bottomwear,Shorts,NaN,NaN,NaN,NaN,Women Navy Blue Cargo Shorts", "kept", "1008")
    rows.append(b"1009,Men,Apparel,Bottomwear,Jeans,Blue,Fall,2011,Casual,Caf\xe9 Men Blue Jeans")
    expected["1009"] = "not UTF-8"
    photo_file(images / "1009.jpg")
    stray_quote = '1014,Men,Apparel,Bottomwear,Jeans,Navy Blue,Fall,2012,Casual,"Roadster Men Navy Jeans'
    row(stray_quote, "kept", "1014")
    row("1010,Men,Apparel", "malformed row", "1010")
    row("1011,Boys,Apparel,Bottomwear,Jeans,Blue,Fall,2011,Casual,Boys Blue Jeans", "kids", "1011")
    row("1001,Men,Apparel,Bottomwear,Jeans,Blue,Fall,2011,Casual,Levis Men Blue Jeans again", "duplicate id",
        "1001-dup", photo=False)  # fmt: skip
    row("1013,Men,Apparel,Bottomwear,Jeans,White,Fall,2011,Casual,Men White Jeans", "no foreground", "1013",
        photo=False)  # fmt: skip
    save_image(images / "1013.jpg", blank_photo(), "JPEG")
    row(",Men,Apparel,Bottomwear,Jeans,Blue,Fall,2011,Casual,No id Jeans", "malformed row", "noid")
    (root / "styles.csv").write_bytes(b"\n".join(rows) + b"\n")
    return expected


def write_csv_folder(root: Path) -> dict[str, str]:
    """An image folder with index.csv holding one example of each kind of bad input.

    Returns {file name: expected skip kind or "kept"}.
    """
    root.mkdir(parents=True)
    photo_file(root / "a.jpg")
    photo_file(root / "b.jpg")
    photo_file(root / "d.jpg")
    save_image(root / "white.png", white_garment_rgba(shape=(96, 72), box=(10, 86, 20, 52)), "PNG")
    save_image(root / "tiny.png", garment_photo(shape=(9, 12), box=(2, 7, 3, 9), shadow=False), "PNG")
    truncated_jpeg(root / "trunc.jpg")
    (root / "notimage.png").write_bytes(b"\x00\x01 definitely not a png")
    lines = [
        (b"path,title,type,gender,colour", None),
        (b"a.jpg,Women's Navy Wide-Leg Pants,,,", ("a.jpg", "kept")),
        (b"b.jpg,Acme denim 32W x 30L,Jeans,Men,Dark Wash", ("b.jpg", "kept")),
        (b'white.png,"Unisex white shorts, tall",,,', ("white.png", "kept")),
        (b"missing.jpg,Men's Black Pants,,,", ("missing.jpg", "missing image")),
        (b"notimage.png,Men's Black Pants,,,", ("notimage.png", "unreadable image")),
        (b"trunc.jpg,Men's Black Pants,,,", ("trunc.jpg", "unreadable image")),
        (b"d.jpg,,pants,men,", ("d.jpg (empty title)", "empty title")),
        (b"d.jpg,Women's Red Skirt,skirt,women,red", ("d.jpg (skirt)", "unknown attribute")),
        (b"d.jpg,Men's Caf\xe9 Pants,,,", ("d.jpg (latin-1)", "not UTF-8")),
        (b"d.jpg,Men's Black Pants,pants,men,black,extra", ("d.jpg (extra field)", "malformed row")),
        (b"tiny.png,Men's Black Pants,,,", ("tiny.png", "image too small")),
        (b"d.jpg,Men's Navy Polo Shirt,,,", ("d.jpg (polo)", "unknown type")),
    ]
    (root / "index.csv").write_bytes(b"\n".join(text for text, _ in lines) + b"\n")
    return dict(entry for _, entry in lines if entry)
