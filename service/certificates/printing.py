"""A certificate's own PDF: whether its name can be printed (asked before anything is stored), and
its file, drawn before the record that points at it is written, so no certificate is ever issued
without one. Drawing is deterministic: the same printed values give the same bytes every time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.certificate_templates.printing import brandings
from service.certificates.models import CURRENT, Certificate, CertificateStatus
from service.certificates.rules import name_language
from service.enrollments.models import Enrollment
from service.errors import ErrorCode, Problem
from service.files.store import write_atomically
from service.pdf import Branding, CertificateText, printable_name_problem, render_certificate
from service.text import BIDI_CONTROLS

logger = logging.getLogger(__name__)

CERTIFICATES_FOLDER = "certificates"
QUERY_CHUNK = 500
SHOWN_LENGTH = 60  # a name quoted in a message: enough to know whose it is
BLANK_NAME_MENDED = "Correct it in Canvas: the next progress sync brings it here."


@dataclass(frozen=True)
class DrawnFile:
    """A certificate's PDF, written under its final name; the record points at it by these."""

    name: str
    size: int
    sha256: str

    def as_fields(self) -> dict[str, str | int]:
        return {"file_name": self.name, "file_size": self.size, "file_sha256": self.sha256}


def certificate_path(files_dir: Path, certificate: Certificate) -> Path:
    return files_dir / CERTIFICATES_FOLDER / (certificate.file_name or f"{certificate.code}.pdf")


def name_problem(name: str, *, language: str, field: tuple[str, ...] | None) -> Problem | None:
    """``NAME_NOT_PRINTABLE`` when the name cannot be printed faithfully: whose, and why."""
    reason = printable_name_problem(name, language=language)
    if reason is None:
        return None
    if not name.strip():
        # Names come from the LMS (the progress sync), where a blank one is corrected.
        reason = f"{reason} {BLANK_NAME_MENDED}"
    return Problem(
        ErrorCode.NAME_NOT_PRINTABLE,
        f"{shown_name(name)} cannot be printed on a certificate. {reason}",
        field,
    )


def shown_name(name: str) -> str:
    """The name quoted for a message, without what could reorder or break the message itself."""
    kept = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name if c not in BIDI_CONTROLS)
    kept = " ".join(kept.split())
    if not kept:
        return "This name"
    return f"“{kept if len(kept) <= SHOWN_LENGTH else kept[: SHOWN_LENGTH - 1] + '…'}”"


def unprintable(
    names: Mapping[int, tuple[str, str]], field_of: Callable[[int], tuple[str, ...]]
) -> list[Problem]:
    """The problem of each name (by key: its text and language) that cannot be printed."""
    return [
        Problem(problem.code, problem.message, field_of(key)) for key, problem in _problems(names).items()
    ]


def _problems(names: Mapping[int, tuple[str, str]]) -> dict[int, Problem]:
    problems = {
        key: name_problem(name, language=language, field=None) for key, (name, language) in names.items()
    }
    return {key: problem for key, problem in problems.items() if problem is not None}


async def unprintable_in_selection(*, enrollment_ids: Sequence[int], field: str) -> list[Problem]:
    """Each selected person whose certificate cannot be printed, by position in the selection: the
    name their valid certificate prints, else the name it would print if issued now."""
    names = await _names_to_print(list(dict.fromkeys(enrollment_ids)))
    # Shaping thousands of names is CPU work (about half a millisecond each): not on the event loop.
    problems = await asyncio.to_thread(_problems, names)
    return [
        Problem(problems[key].code, problems[key].message, (field, str(index)))
        for index, key in enumerate(enrollment_ids)
        if key in problems
    ]


async def _names_to_print(enrollment_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each enrolment's name as its certificate prints it, with the name's language."""
    names: dict[int, tuple[str, str]] = {}
    for start in range(0, len(enrollment_ids), QUERY_CHUNK):
        chunk = enrollment_ids[start : start + QUERY_CHUNK]
        for certificate in await Certificate.filter(valid_enrollment_id__in=chunk).only(
            "enrollment_id", "printed"
        ):
            text = CertificateText.from_printed(certificate.printed)
            names[certificate.enrollment_id] = (text.recipient_name, text.language)
        pending = Enrollment.filter(id__in=[key for key in chunk if key not in names])
        rows = await pending.values_list(
            "id", "course_taker__name", "course_taker__locale", "course_taker__partner__default_locale"
        )
        for key, name, locale, partner_locale in rows:
            names[key] = (
                name,
                name_language(name, course_taker_locale=locale, partner_locale=partner_locale),
            )
    return names


async def draw_file(text: CertificateText, version_id: int | None, *, files_dir: Path) -> DrawnFile:
    """Draw the certificate in its template version's design (None: the default) and write its file
    under its code; the record is written after."""
    return await _drawn(text, (await brandings([version_id]))[version_id], files_dir=files_dir)


async def _drawn(text: CertificateText, branding: Branding, *, files_dir: Path) -> DrawnFile:
    # Rendering is CPU work: a thread keeps the event loop (and the other requests) moving.
    pdf = await asyncio.to_thread(render_certificate, text, branding)
    name = f"{text.code}.pdf"
    await asyncio.to_thread(write_atomically, files_dir / CERTIFICATES_FOLDER / name, pdf)
    return DrawnFile(name=name, size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest())


async def draw_files(
    texts: Mapping[int, CertificateText], versions: Mapping[int, int | None], *, files_dir: Path
) -> dict[int, DrawnFile]:
    """Each text's file, in its template version's design; if one cannot be drawn, none is left behind."""
    designs = await brandings(versions.values())
    drawn: dict[int, DrawnFile] = {}
    try:
        for key, text in texts.items():
            drawn[key] = await _drawn(text, designs[versions[key]], files_dir=files_dir)
    except BaseException:
        remove_files(drawn.values(), files_dir=files_dir)
        raise
    return drawn


def remove_files(files: Iterable[DrawnFile], *, files_dir: Path) -> None:
    """Files drawn for certificates that were not recorded (someone else's issue won)."""
    for drawn in files:
        (files_dir / CERTIFICATES_FOLDER / drawn.name).unlink(missing_ok=True)


NOT_HANDED_OUT = {
    CertificateStatus.VOIDED: "This certificate is void: the course closed without completion. "
    "It can no longer be downloaded.",
    CertificateStatus.REVOKED: "This certificate has been revoked. It can no longer be downloaded.",
    CertificateStatus.REPLACED: "This certificate was replaced by a corrected one. It can no longer be "
    "downloaded: download the new one in the portal.",
}


def download_refusal(certificate: Certificate) -> str | None:
    """Why the certificate's PDF is no longer handed out, or None while it is current (valid or
    provisional): a void, revoked or replaced certificate's file would look as good as a valid one."""
    return None if certificate.status in CURRENT else NOT_HANDED_OUT[certificate.status]


async def forget_file(certificate: Certificate) -> None:
    """The record of a file lost (missing, damaged) cleared, for ``ensure_file`` to draw it again;
    only that file's record: one drawn again meanwhile stays. The certificate is read again."""
    await Certificate.filter(id=certificate.id, file_sha256=certificate.file_sha256).update(
        file_name=None, file_size=None, file_sha256=None
    )
    await certificate.refresh_from_db()


async def ensure_file(certificate: Certificate, *, files_dir: Path) -> Certificate:
    """The certificate with its own PDF, drawn now if it has none yet (one issued for a combined
    file gets its own file on its first download: its pages were drawn into the combined file), or
    drawn again if its file is gone from the files folder (restored without it, a disk replaced):
    the record gives the same bytes."""
    if certificate.file_sha256 is not None and not certificate_path(files_dir, certificate).is_file():
        logger.warning("certificate %s: its file is missing; drawing it again", certificate.code)
        await forget_file(certificate)
    drawn_text: dict[str, Any] | None = None
    # Until a file is recorded, and the last one drawn here (all drawings write the same path) is of
    # the text the certificate has now.
    while certificate.file_sha256 is None or (drawn_text is not None and drawn_text != certificate.printed):
        drawn_text = certificate.printed
        drawn = await draw_file(
            CertificateText.from_printed(drawn_text), certificate.template_version_id, files_dir=files_dir
        )
        await Certificate.filter(id=certificate.id, file_sha256__isnull=True).update(**drawn.as_fields())
        await certificate.refresh_from_db()
        if certificate.printed != drawn_text:
            # Its text changed while it was drawn (a provisional certificate re-dated with its ceremony,
            # or turned valid): a drawing of the old text recorded now is undone, and the file on disk
            # (this drawing may have replaced one of the new text) is drawn again.
            await Certificate.filter(id=certificate.id, file_sha256=drawn.sha256).update(
                file_name=None, file_size=None, file_sha256=None
            )
            await certificate.refresh_from_db()
    return certificate
