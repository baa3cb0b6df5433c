"""ID cards printed and photographed another way than tests/vncards.py does: a check that HoSo
reads cards, not vncards' photos.

The people and the cards' designs are vncards' (there is one official design per kind), but
the print differs as another card printer's would: other fonts (Arimo, FreeSans, Noto Sans
Display), the whole print layer off its place on the card by up to 1.5 mm and 3% larger or
smaller. The photos differ as other people's would: the card filling a third to most of the
frame, held in fingers that cover part of its edge, lying on granite, a checked tablecloth, a
dark desk or the citizen's own application form; out of focus or moved; lit by a strong warm or
cool lamp with a broad sheen on the laminate; noisier; JPEG at 55-88, often resent through a
chat app at 1280-2048 pixels. `bench/cards.py --made-by other` reads them.
"""

from __future__ import annotations

import io
import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vncards  # noqa: E402
from vncards import CARD_MM, CORNER_MM, KINDS, CardImage, Photo  # noqa: E402

_ROOT = Path("/usr/share/fonts/truetype")
_OTHER_FAMILIES = {
    "arimo": ("croscore/Arimo-Regular.ttf", "croscore/Arimo-Bold.ttf", "croscore/Arimo-Italic.ttf"),
    "freesans": ("freefont/FreeSans.ttf", "freefont/FreeSansBold.ttf", "freefont/FreeSansOblique.ttf"),
    "noto-display": ("noto/NotoSansDisplay-Regular.ttf", "noto/NotoSansDisplay-Bold.ttf",
                     "noto/NotoSansDisplay-Italic.ttf"),
}
FAMILIES = {name: tuple(str(_ROOT / f) for f in files) for name, files in _OTHER_FAMILIES.items()
            if all((_ROOT / f).exists() for f in files)}
if not FAMILIES:
    raise RuntimeError("no other sans font found: apt-get install fonts-croscore fonts-freefont-ttf")
SENSORS = ((4000, 3000), (4624, 3468), (3264, 2448))
CHAT_SIDES = (1280, 1600, 2048)
SKIN = ((224, 172, 140), (198, 140, 104), (160, 110, 80), (232, 190, 160))


def render(c: vncards.Citizen, kind: str, side: str, rng: random.Random) -> CardImage:
    """The side as another printer prints it: other fonts, the print layer shifted and scaled."""
    card = vncards.render(c, kind, side, rng, families=FAMILIES)
    image = np.asarray(card.image)
    h, w = image.shape[:2]
    px = card.dpi / 25.4
    scale = rng.uniform(0.97, 1.03)
    dx, dy = rng.uniform(-1.5, 1.5) * px, rng.uniform(-1.2, 1.2) * px
    m = np.float32([[scale, 0, (1 - scale) * w / 2 + dx], [0, scale, (1 - scale) * h / 2 + dy]])
    # What moves off the card is cut; the guilloche reflected at the edge fills what it uncovers.
    moved = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    mask = vncards.rounded(w, h, CORNER_MM / 25.4 * card.dpi)[..., None].astype(np.float32) / 255
    flat = moved * mask + 255 * (1 - mask)
    card.image = Image.fromarray(np.clip(flat + 0.5, 0, 255).astype(np.uint8))
    return card


def _granite(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    base = rng.choice([(70, 70, 74), (150, 146, 140), (40, 38, 40), (196, 190, 182)])
    speck = g.random((h, w)).astype(np.float32)
    tone = 0.85 + 0.3 * cv2.GaussianBlur(speck, (0, 0), 1.5) + 0.25 * (speck > 0.97) - 0.25 * (speck < 0.03)
    return tone[..., None] * np.float32(base)


def _checks(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """A checked tablecloth: bands of two colours crossing, darker where they cross."""
    period, angle = rng.uniform(18, 60), rng.uniform(0, math.pi)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (x * math.cos(angle) + y * math.sin(angle)) / period
    v = (y * math.cos(angle) - x * math.sin(angle)) / period
    a, b = (np.floor(u) % 2).astype(np.float32), (np.floor(v) % 2).astype(np.float32)
    light = np.float32(rng.choice([(236, 232, 220), (250, 246, 240)]))
    dark = np.float32(rng.choice([(180, 40, 44), (40, 70, 150), (40, 120, 70), (90, 90, 96)]))
    mix = (0.5 * a + 0.5 * b)[..., None]
    return light * (1 - mix) + dark * mix


def _desk(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    base = np.float32(rng.choice([(28, 28, 32), (52, 44, 40), (20, 30, 44)]))
    coarse = g.random((h // 32 + 2, w // 32 + 2)).astype(np.float32)
    tone = 0.9 + 0.2 * cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    return tone[..., None] * base


def _form(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """The citizen's application form under the card: lines of small print on white paper."""
    page = Image.new("RGB", (w, h), (240, 239, 234))
    draw = ImageDraw.Draw(page)
    size = max(8, round(h / rng.uniform(55, 80)))
    face = ImageFont.truetype(str(_ROOT / "freefont/FreeSerif.ttf"), size)
    words = ("Họ, chữ đệm và tên", "Ngày, tháng, năm sinh", "Nơi cư trú", "Số định danh cá nhân", "Kính gửi",
             "Ủy ban nhân dân", "xã", "phường", "thông tin", "đề nghị", "cấp", "giấy", "chứng nhận", "thủ tục",
             "........................", "hồ sơ", "người yêu cầu", "ký, ghi rõ họ tên")
    y = rng.uniform(0, size)
    while y < h:
        x, line = rng.uniform(0.03, 0.1) * w, []
        while x < 0.9 * w:
            word = rng.choice(words)
            line.append(word)
            x += draw.textlength(word + " ", font=face)
        draw.text((rng.uniform(0.03, 0.1) * w, y), " ".join(line), fill=(30, 30, 34), font=face)
        y += size * rng.uniform(1.6, 2.4)
    return np.asarray(page, np.float32)


_GROUNDS = (("granite", _granite), ("checks", _checks), ("dark desk", _desk), ("form", _form))


def _place(card: Image.Image, frame: tuple[int, int], rotation: int, tilt: float,
           rng: random.Random) -> list[tuple[float, float]]:
    """The card's corners in the frame: filling 35-85% of it, turned, tilted and keystoned."""
    W, H = frame
    length = rng.uniform(0.35, 0.85) * max(W, H)
    a = math.radians(rotation + tilt)
    keystone, phi = rng.uniform(0.0, 0.18), rng.uniform(0, 2 * math.pi)
    aspect = card.height / card.width
    while True:
        pts = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = sx * length / 2, sy * length * aspect / 2
            x, y = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
            grow = 1 / (1 - keystone * (x * math.cos(phi) + y * math.sin(phi)) / (length / 2))
            pts.append((x * grow, y * grow))
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if max(xs) - min(xs) <= 0.94 * W and max(ys) - min(ys) <= 0.94 * H:
            break
        length *= 0.96
    cx = rng.uniform(0.03 * W - min(xs), 0.97 * W - max(xs))
    cy = rng.uniform(0.03 * H - min(ys), 0.97 * H - max(ys))
    return [(x + cx, y + cy) for x, y in pts]


def _fingers(scene: np.ndarray, corners: list[tuple[float, float]], rng: random.Random) -> None:
    """A thumb (and sometimes a finger beside it) over one long edge of the card, from outside."""
    mm = math.dist(corners[0], corners[1]) / CARD_MM[0]
    edge = rng.choice(((0, 1), (2, 3)))
    a, b = np.float32(corners[edge[0]]), np.float32(corners[edge[1]])
    centre = np.float32([sum(c[0] for c in corners) / 4, sum(c[1] for c in corners) / 4])
    skin = np.float32(rng.choice(SKIN))
    k = 8  # drawn an eighth the size, then enlarged: a fingertip has no detail
    overlay = np.zeros((scene.shape[0] // k + 1, scene.shape[1] // k + 1), np.float32)
    for _ in range(rng.choice((1, 1, 2))):
        at = a + (b - a) * rng.uniform(0.15, 0.85)
        inward = centre - at
        inward /= np.linalg.norm(inward)
        depth = rng.uniform(3, 9) * mm  # how far into the card the fingertip reaches
        tip = at + inward * depth
        axes = (rng.uniform(7, 9) * mm, 50 * mm)  # to beyond the card: a finger of a hand
        angle = math.degrees(math.atan2(inward[1], inward[0])) + 90
        middle = (tip - inward * axes[1]) / k
        cv2.ellipse(overlay, (round(float(middle[0])), round(float(middle[1]))),
                    (round(axes[0] / k), round(axes[1] / k)), angle, 0, 360, 1.0, -1)
    overlay = cv2.GaussianBlur(overlay, (0, 0), 1.5 * mm / k)
    overlay = cv2.resize(overlay, (scene.shape[1], scene.shape[0]), interpolation=cv2.INTER_LINEAR)[..., None]
    shade = 0.75 + 0.25 * overlay
    scene[:] = scene * (1 - overlay) + skin * shade * overlay


def _blur(scene: np.ndarray, corners: list[tuple[float, float]], rng: random.Random, notes: list[str]) -> np.ndarray:
    per_mm = math.dist(corners[0], corners[1]) / CARD_MM[0]
    pick = rng.random()
    if pick < 0.3:  # out of focus: a disc
        r = max(1, round(rng.uniform(0.04, 0.12) * per_mm))
        kernel = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
        cv2.circle(kernel, (r, r), r, 1.0, -1)
        notes.append("defocus")
        return cv2.filter2D(scene, -1, kernel / kernel.sum())
    if pick < 0.45:  # the hand moved: a short line
        n = max(3, round(rng.uniform(0.08, 0.25) * per_mm))
        kernel = np.zeros((n, n), np.float32)
        t = rng.uniform(0, math.pi)
        c = (n - 1) / 2
        cv2.line(kernel, (round(c - c * math.cos(t)), round(c - c * math.sin(t))),
                 (round(c + c * math.cos(t)), round(c + c * math.sin(t))), 1.0, 1)
        notes.append("moved")
        return cv2.filter2D(scene, -1, kernel / kernel.sum())
    return cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.4, 1.0))


def photograph(card: CardImage, rng: random.Random) -> Photo:
    """The card photographed by another phone, in another hand, on another table."""
    g = np.random.default_rng(rng.getrandbits(64))
    sensor = rng.choice(SENSORS)
    W, H = sensor if rng.random() < 0.4 else (sensor[1], sensor[0])
    rotation, tilt = rng.choice((0, 90, 180, 270)), round(rng.uniform(-25, 25), 2)
    corners = _place(card.image, (W, H), rotation, tilt, rng)
    name, ground = rng.choice(_GROUNDS)
    notes = [name]
    scene = cv2.resize(ground(W // 2, H // 2, rng, g).astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    box, alpha = vncards.lay(scene, card.image, corners, rng, shadow=rng.random() < 0.7)
    if rng.random() < 0.35:
        _fingers(scene, corners, rng)
        notes.append("fingers")
    # A lamp: a strong cast and falloff across the frame, and a broad sheen on the laminate.
    y, x = np.mgrid[0:H // 16, 0:W // 16].astype(np.float32) * 16
    lx, ly = rng.uniform(0, W), rng.uniform(0, H)
    light = 1 - rng.uniform(0.15, 0.45) * ((x - lx) ** 2 + (y - ly) ** 2) / (W * W + H * H)
    cast = np.float32(rng.choice([(1.0, 0.9, 0.72), (0.88, 0.96, 1.06), (1.0, 1.0, 1.0), (1.02, 0.95, 0.85)]))
    gain = rng.uniform(0.75, 1.1)
    field = cv2.resize(light, (W, H))[..., None] * cast * gain
    scene *= field
    if rng.random() < 0.35:
        x0, y0, x1, y1 = box
        w, h = (x1 - x0) // 8 + 1, (y1 - y0) // 8 + 1  # drawn small: a sheen is smooth
        sheen = np.zeros((h, w), np.float32)
        cv2.ellipse(sheen, (round(rng.uniform(0.2, 0.8) * w), round(rng.uniform(0.2, 0.8) * h)),
                    (round(0.35 * w), round(0.12 * h)), rng.uniform(0, 180), 0, 360, rng.uniform(0.25, 0.55), -1)
        sheen = cv2.resize(cv2.GaussianBlur(sheen, (0, 0), 0.08 * w), (x1 - x0, y1 - y0)) * alpha
        region = scene[y0:y1, x0:x1]
        region += (255 - np.minimum(region, 255)) * sheen[..., None]
        notes.append("sheen")
    scene = _blur(scene, corners, rng, notes)
    sigma = rng.uniform(2.0, 9.0) / gain
    scene += g.normal(0, sigma, (H // 2, W // 2, 1)).astype(np.float32).repeat(2, 0).repeat(2, 1)[:H, :W]
    pixels = np.clip(scene + 0.5, 0, 255).astype(np.uint8)
    quality = rng.randint(55, 88)
    if rng.random() < 0.4:
        f = rng.choice(CHAT_SIDES) / max(W, H)
        pixels = cv2.resize(pixels, (round(W * f), round(H * f)), interpolation=cv2.INTER_AREA)
        corners = [(x * f, y * f) for x, y in corners]
        notes.append("chat")
    buf = io.BytesIO()
    image = Image.fromarray(pixels)
    image.save(buf, "JPEG", quality=quality)
    return Photo(buf.getvalue(), image.width, image.height, 1, [(round(x, 2), round(y, 2)) for x, y in corners],
                 rotation, tilt, notes)


def sample(seed: int) -> tuple[vncards.Citizen, list[tuple[CardImage, Photo]]]:
    """One seeded person, their card's front and back as the other printer prints them, and a
    photo of each as another person takes it."""
    rng = random.Random(f"other-{seed}")
    kind = rng.choices(KINDS, weights=(45, 25, 15, 15))[0]
    c = vncards.citizen(rng, kind)
    pairs = []
    for side in ("front", "back"):
        card = render(c, kind, side, rng)
        pairs.append((card, photograph(card, rng)))
    return c, pairs

