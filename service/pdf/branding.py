"""A partner's design on a certificate page: wording, colours, logos and signatories.

``Branding()`` is the default design (the service's own wording and colours, no logos, one empty
"Authorized signature" line), so a page drawn without a template is unchanged. Everything here is
pure: the images come in as the PNG or JPEG bytes a template stores (already decoded and re-encoded
when uploaded), and go out as image XObjects, one per distinct image per document, however many
pages show it.

Where the branded parts go: the logos in the top corners (the partner's line then narrows to the
space between them), and the bottom row shares its width between the date and up to three
signatories, each over a rule with their signature above it and their name and title below.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Protocol, TypeVar

from borb.pdf.primitives import name, stream
from PIL import Image

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]  # left, bottom, right, top, in points
NAVY, GOLD = (0x1F, 0x3A, 0x5F), (0xB0, 0x8D, 0x3C)
MAX_SIGNATORIES = 3

# The bottom row: between the frame's inside (39.2 pt) plus a margin, and the QR code's small print.
ROW_LEFT, ROW_RIGHT = 44.0, 576.0
ROW_GAP, NARROW_GAP = 40.0, 20.0
COLUMN_WIDEST = 180.0
RULE_Y = 142.0
SIGNATURE_BOX_BOTTOM, SIGNATURE_BOX_HEIGHT = 146.0, 56.0
# Logos: top corners, below the frame's inside (572.8 pt) and above the title's ink.
LOGO_BOXES = {"partner": (56.0, 500.0, 186.0, 556.0), "organisation": (606.0, 500.0, 736.0, 556.0)}
BETWEEN_LOGOS = 2 * (396.0 - 186.0 - 10.0)  # the partner line's width when a logo is shown
# A second language's line under the first's: (the first's baseline, the second's, the second's
# size). The first moves up into space left free above it, so nothing else moves; under the words
# beside the QR code, the address moves down a line.
SECOND_LINES = {
    "presented": (436.0, 422.0, 10.0),
    "completed": (334.0, 320.0, 10.0),
    "date_caption": (128.0, 117.0, 8.0),
    "signature_caption": (128.0, 117.0, 8.0),
    "verify": (78.0, 70.0, 7.0),
}
URL_UNDER_SECOND_VERIFY = 61.0


@dataclass(frozen=True)
class Wording:
    """The fixed words of a page. ``completed_provisional`` replaces ``completed`` on a provisional
    certificate (issued before the course-taker completed)."""

    presented: str = "This certifies that"
    completed: str = "has completed the program"
    completed_provisional: str = "is completing the program"
    date_caption: str = "Date awarded"
    signature_caption: str = "Authorized signature"
    verify: str = "Scan the code or visit"


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    signature: bytes | None = None  # PNG or JPEG, as stored


@dataclass(frozen=True)
class Branding:
    wording: Wording = field(default_factory=Wording)
    # The same words in a second language, each on its own line under the first language's.
    second_language: Wording | None = None
    primary: RGB = NAVY  # the frame, the title and the program
    accent: RGB = GOLD  # the rules and the frame's inner line
    partner_logo: bytes | None = None
    organisation_logo: bytes | None = None
    signatories: tuple[Signatory, ...] = ()

    @property
    def is_default(self) -> bool:
        return self == DEFAULT

    def words(self, role: str, *, provisional: bool = False, second: bool = False) -> str:
        """The words printed for ``role`` (in the second language: blank when there are none)."""
        key = "completed_provisional" if role == "completed" and provisional else role
        if not second:
            return str(getattr(self.wording, key))
        return str(getattr(self.second_language, key)).strip() if self.second_language is not None else ""

    def second_roles(self) -> list[str]:
        """The roles printed with a second line, in the second language: those it gives words for
        (``completed`` when it gives either state's, so a page's layout does not depend on its state)."""
        if self.second_language is None:
            return []
        given = {key for key, value in asdict(self.second_language).items() if value.strip()}
        if "completed_provisional" in given:
            given.add("completed")
        return [role for role in SECOND_LINES if role in given]

    def logos(self) -> dict[str, bytes]:
        shown = {"partner": self.partner_logo, "organisation": self.organisation_logo}
        return {corner: image for corner, image in shown.items() if image is not None}

    def images(self) -> list[bytes]:
        """Every image the page shows, each once."""
        found = [*self.logos().values(), *(s.signature for s in self.signatories if s.signature)]
        return list(dict.fromkeys(found))

    def fingerprint(self) -> str:
        """What tells two designs apart in a document's /ID (the default has none)."""
        if self.is_default:
            return ""
        shown = (
            self.wording,
            self.second_language,
            self.primary,
            self.accent,
            [(signatory.name, signatory.title) for signatory in self.signatories],
            [image_name(image) for image in self.images()],
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


DEFAULT = Branding()


@dataclass(frozen=True)
class Column:
    """One place of the bottom row: the date's or a signatory's, centred on ``x``."""

    x: float
    width: float
    signatory: Signatory | None  # None: the date's column, or the empty signature line

    @property
    def rule(self) -> tuple[float, float, float, float]:
        return (self.x - self.width / 2, RULE_Y, self.x + self.width / 2, RULE_Y)


def bottom_row(branding: Branding) -> list[Column]:
    """The date's column, then one per signatory (or one empty signature line when there are none):
    today's two 180 pt columns for two, narrower ones for more, always between the frame and the
    QR code's small print."""
    signatories: list[Signatory | None] = list(branding.signatories) or [None]
    count = 1 + len(signatories)
    gap = ROW_GAP if count <= 3 else NARROW_GAP
    width = min(COLUMN_WIDEST, (ROW_RIGHT - ROW_LEFT - gap * (count - 1)) / count)
    total = count * width + gap * (count - 1)
    left = (ROW_LEFT + ROW_RIGHT - total) / 2
    return [
        Column(x=left + index * (width + gap) + width / 2, width=width, signatory=signatory)
        for index, signatory in enumerate([None, *signatories])
    ]


class PlaceLike(Protocol):
    """render's ``Place`` (a frozen dataclass), as far as a design moves or recolours it."""

    @property
    def color(self) -> RGB: ...


PlaceT = TypeVar("PlaceT", bound=PlaceLike)
Rule = tuple[float, float, float, float, RGB, float]
SIGNATORY_TITLE_BASELINE, SIGNATORY_TITLE_SIZE = 117.0, 9.0


def branded_places(places: dict[str, PlaceT], branding: Branding) -> dict[str, PlaceT]:
    """The page's places for this design: the partner's line between the logos, the bottom row's
    columns, a signatory's name and title under their rule, the design's colours."""
    if branding.is_default:
        return places
    recolored = {role: _recolored(place, branding) for role, place in places.items()}
    [date_column, *others] = bottom_row(branding)
    changed: dict[str, PlaceT] = {}
    for role, place in recolored.items():
        if role == "partner" and branding.logos():
            changed[role] = replace(place, widest=BETWEEN_LOGOS)  # type: ignore[type-var]
        elif role in ("date", "date_caption"):
            changed[role] = _in_column(place, date_column)
        elif role == "signature_caption" and not branding.signatories:
            changed[role] = _in_column(place, others[0])
        elif role == "signature_caption":
            ink = recolored["date"].color
            for index, column in enumerate(others):
                changed[f"signatory_name_{index}"] = replace(  # type: ignore[type-var]
                    _in_column(place, column), color=ink
                )
                changed[f"signatory_title_{index}"] = replace(  # type: ignore[type-var]
                    _in_column(place, column), baseline=SIGNATORY_TITLE_BASELINE, size=SIGNATORY_TITLE_SIZE
                )
        else:
            changed[role] = place
    for role in branding.second_roles():
        if role not in changed:  # the signature caption, when signatories take its place
            continue
        first, second, size = SECOND_LINES[role]
        changed[f"{role}_second"] = replace(changed[role], baseline=second, size=size)  # type: ignore[type-var]
        changed[role] = replace(changed[role], baseline=first)  # type: ignore[type-var]
        if role == "verify":
            changed["url"] = replace(changed["url"], baseline=URL_UNDER_SECOND_VERIFY)  # type: ignore[type-var]
    return changed


def branded_lines(branding: Branding, *, provisional: bool) -> dict[str, str]:
    """The fixed words (and their second language's, each a line of its own), and each signatory's
    name and title."""
    lines = {
        role: branding.words(role, provisional=provisional)
        for role in ("presented", "completed", "date_caption", "signature_caption", "verify")
    }
    for role in branding.second_roles():
        lines[f"{role}_second"] = branding.words(role, provisional=provisional, second=True)
    for index, signatory in enumerate(branding.signatories):
        lines[f"signatory_name_{index}"] = signatory.name
        lines[f"signatory_title_{index}"] = signatory.title
    return lines


def branded_rules(rules: Sequence[Rule], branding: Branding) -> Sequence[Rule]:
    """The title's and the name's rules in the accent colour, and one rule per bottom column."""
    if branding.is_default:
        return rules
    [title_rule, name_rule, date_rule, *_] = rules
    row_ink, row_width = date_rule[4], date_rule[5]
    return [
        (*title_rule[:4], branding.accent, title_rule[5]),
        (*name_rule[:4], branding.accent, name_rule[5]),
        *((*column.rule, row_ink, row_width) for column in bottom_row(branding)),
    ]


def branded_color(color: RGB, branding: Branding) -> RGB:
    return {NAVY: branding.primary, GOLD: branding.accent}.get(color, color)


def _recolored(place: PlaceT, branding: Branding) -> PlaceT:
    return replace(place, color=branded_color(place.color, branding))  # type: ignore[type-var]


def _in_column(place: PlaceT, column: Column) -> PlaceT:
    return replace(place, x=column.x, widest=column.width)  # type: ignore[type-var]


def image_name(image: bytes) -> str:
    """The XObject's resource name: the same image is the same object in a document."""
    return "Im" + hashlib.sha256(image).hexdigest()[:16]


@dataclass(frozen=True)
class Placed:
    """An image drawn in a box, keeping its proportions: where it lands."""

    image: bytes
    box: Box


def fitted(image: bytes, box: Box, *, align_bottom: bool = False) -> Placed:
    """The image as large as fits ``box``, centred (or standing on the box's bottom)."""
    width, height = image_size(image)
    left, bottom, right, top = box
    scale = min((right - left) / width, (top - bottom) / height)
    drawn_width, drawn_height = width * scale, height * scale
    x = left + (right - left - drawn_width) / 2
    y = bottom if align_bottom else bottom + (top - bottom - drawn_height) / 2
    return Placed(image, (x, y, x + drawn_width, y + drawn_height))


def placed_images(branding: Branding) -> list[Placed]:
    """The logos in their corners and each signature over its rule."""
    placed = [fitted(image, LOGO_BOXES[corner]) for corner, image in branding.logos().items()]
    for column in bottom_row(branding):
        if column.signatory is not None and column.signatory.signature is not None:
            box = (
                column.x - column.width / 2,
                SIGNATURE_BOX_BOTTOM,
                column.x + column.width / 2,
                SIGNATURE_BOX_BOTTOM + SIGNATURE_BOX_HEIGHT,
            )
            placed.append(fitted(column.signatory.signature, box, align_bottom=True))
    return placed


def draw_image(placed: Placed) -> str:
    left, bottom, right, top = placed.box
    scale = f"{pdf_number(right - left)} 0 0 {pdf_number(top - bottom)}"
    return f"q {scale} {pdf_number(left)} {pdf_number(bottom)} cm /{image_name(placed.image)} Do Q"


def image_size(image: bytes) -> tuple[int, int]:
    pixels = pixels_of(image)
    return pixels.width, pixels.height


@dataclass(frozen=True)
class Pixels:
    """An image as a PDF takes it: JPEG data as it is, or compressed colour (and alpha) samples."""

    width: int
    height: int
    color_space: str
    data: bytes
    compressed: bool  # with zlib (FlateDecode); else JPEG (DCTDecode)
    alpha: bytes | None = None  # compressed, for a soft mask


@functools.lru_cache(maxsize=64)
def pixels_of(image: bytes) -> Pixels:
    """Decoded and compressed once per process: a design's few images recur in every document."""
    with Image.open(io.BytesIO(image)) as opened:
        width, height = opened.size
        if opened.format == "JPEG" and opened.mode in ("RGB", "L"):
            color_space = "DeviceRGB" if opened.mode == "RGB" else "DeviceGray"
            return Pixels(width, height, color_space, image, compressed=False)
        has_alpha = opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
        decoded = opened.convert("RGBA" if has_alpha else "RGB")
    color = zlib.compress(decoded.convert("RGB").tobytes(), 6)
    alpha = zlib.compress(decoded.getchannel("A").tobytes(), 6) if has_alpha else None
    return Pixels(width, height, "DeviceRGB", color, compressed=True, alpha=alpha)


def image_xobject(image: bytes) -> stream:
    """The image as a PDF image: a JPEG as it is (DCTDecode), a PNG's pixels compressed, its
    transparency as a soft mask (signatures are usually ink on a transparent ground)."""
    pixels = pixels_of(image)
    xobject = _image_stream(pixels.width, pixels.height, pixels.color_space, pixels.data)
    if not pixels.compressed:
        xobject[name("Filter")] = name("DCTDecode")
    if pixels.alpha is not None:
        xobject[name("SMask")] = _image_stream(pixels.width, pixels.height, "DeviceGray", pixels.alpha)
    return xobject


def _image_stream(width: int, height: int, color_space: str, data: bytes) -> stream:
    xobject = stream()  # FlateDecode unless told otherwise
    xobject[name("Bytes")] = data
    xobject[name("Length")] = len(data)
    xobject[name("Type")] = name("XObject")
    xobject[name("Subtype")] = name("Image")
    xobject[name("Width")] = width
    xobject[name("Height")] = height
    xobject[name("ColorSpace")] = name(color_space)
    xobject[name("BitsPerComponent")] = 8
    return xobject


def pdf_number(number: float) -> str:
    """A number as PDF writes it: no exponent, no trailing zeros."""
    return f"{round(number, 3):f}".rstrip("0").rstrip(".")
