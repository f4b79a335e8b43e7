"""`portal certificates …`: a combined file made from the command line, through the job's services; PDFs
repaired; completions given back."""

from __future__ import annotations

import contextlib
import os
import pty
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pypdf
import pytest
from starlette.applications import Starlette

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.rules import new_code
from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker, Enrollment
from service.mail.models import OutboxMessage
from service.pdf import CertificateText
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.processes import PORTAL, environment


def _portal(settings: Settings, *arguments: str, **more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PORTAL, *arguments],
        env=environment(settings, **more),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _first_lines(pdf: Path) -> list[list[str]]:
    return [page.extract_text().splitlines() for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture
async def world(app: Starlette) -> CertificatesWorld:
    """Records in the database the command opens (the app holds it open for this process)."""
    return await make_certificates_world()


async def test_every_completer_in_one_file(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # given
    output = tmp_path / "completers.pdf"

    # when
    built = _portal(
        settings, "certificates", "build", "--recognition", world.recognition_id, "--all-completers",
        "--output", str(output),
    )  # fmt: skip

    # then: the completers, one page each, in the page's order (by name); recorded as the job records it
    assert (built.returncode, built.stdout, built.stderr) == (0, f"3 pages written to {output}\n", "")
    names = ["Ana Completer", "Dov Closed-Completer", "Gus Online-Completer"]
    assert [name in lines for name, lines in zip(names, _first_lines(output), strict=True)] == [True] * 3
    [job] = await CertificateFileJob.all()
    assert (job.status, job.page_count, job.requested_by_id, job.enrollment_ids) == (
        FileJobStatus.READY,
        3,
        world.staff.id,
        [world.enrollments[name].id for name in names],
    )


async def test_chosen_course_takers_by_email(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # given: a completer and someone approaching, by the recognition's number
    chosen = [world.enrollments[name] for name in ("Jo Micro", "Ana Completer")]
    emails = [(await enrollment.course_taker).email for enrollment in chosen]
    output = tmp_path / "two.pdf"

    # when
    built = _portal(
        settings, "certificates", "build", "--recognition", str(world.recognition.id),
        "--course-taker", emails[0], "--course-taker", emails[1], "--output", str(output),
    )  # fmt: skip

    # then
    assert (built.returncode, built.stdout) == (0, f"2 pages written to {output}\n")
    pages = _first_lines(output)
    assert [("Ana Completer" in pages[0]), ("Jo Micro" in pages[1])] == [True, True]


async def test_a_course_taker_is_found_by_email_in_any_case(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # given a completer's email as a person might type it
    taker = await world.enrollments["Ana Completer"].course_taker
    output = tmp_path / "one.pdf"

    # when
    built = _portal(
        settings, "certificates", "build", "--recognition", world.recognition_id,
        "--course-taker", taker.email.upper(), "--output", str(output),
    )  # fmt: skip

    # then
    assert (built.returncode, built.stdout, built.stderr) == (0, f"1 page written to {output}\n", "")
    assert "Ana Completer" in _first_lines(output)[0]


async def test_a_bad_recognition_fails_with_one_line(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # given
    output = tmp_path / "none.pdf"

    # when
    built = _portal(
        settings,
        "certificates",
        "build",
        "--recognition",
        "4040",
        "--all-completers",
        "--output",
        str(output),
    )

    # then: one line, no traceback, nothing made
    assert (built.returncode, built.stdout, built.stderr) == (1, "", "Recognition not found.\n")
    assert (output.exists(), await CertificateFileJob.all().count()) == (False, 0)


@pytest.mark.parametrize(
    ("where", "problem"),
    [("no-such-folder/file.pdf", "No such file or directory"), (".", "it is a folder")],
)
async def test_an_output_that_cannot_be_written_fails_with_one_line_before_anything_is_issued(
    world: CertificatesWorld, settings: Settings, tmp_path: Path, where: str, problem: str
) -> None:
    (folder := tmp_path / "out").mkdir()
    output = folder / where

    built = _portal(
        settings,
        "certificates",
        "build",
        "--recognition",
        str(world.recognition.id),
        "--all-completers",
        "--output",
        str(output),
    )

    assert (built.returncode, built.stdout, built.stderr) == (1, "", f"Cannot write {output}: {problem}.\n")
    assert (await Certificate.all().count(), await CertificateFileJob.all().count()) == (0, 0)
    assert (await OutboxMessage.all().count(), sorted(folder.iterdir())) == (0, [])


async def test_an_unprintable_name_is_refused_naming_whose_it_is(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # given two completers whose names cannot be printed: one blank, one in a script no font has
    blank = await world.enrollments["Dov Closed-Completer"].course_taker
    blank.name = "   "
    await blank.save(update_fields=["name"])
    unprintable = await world.enrollments["Gus Online-Completer"].course_taker
    unprintable.name = "Ana \U00012000 Silva"
    await unprintable.save(update_fields=["name"])
    output = tmp_path / "completers.pdf"

    # when
    built = _portal(
        settings, "certificates", "build", "--recognition", world.recognition_id, "--all-completers",
        "--output", str(output),
    )  # fmt: skip

    # then each is named by email, a line each, so staff know whose name to correct; nothing is made
    assert (built.returncode, built.stdout, built.stderr) == (
        1,
        "",
        f"{blank.email}: This name cannot be printed on a certificate. The name is blank. Correct it in "
        "Canvas: the next progress sync brings it here.\n"
        f"{unprintable.email}: \u201cAna \U00012000 Silva\u201d cannot be printed on a certificate. No font "
        "can print these characters: U+12000 CUNEIFORM SIGN A.\n",
    )
    assert (output.exists(), await CertificateFileJob.all().count()) == (False, 0)


@pytest.mark.parametrize(
    ("choice", "words"),
    [
        (
            (),
            "│ Invalid value for '--course-taker' / '--all-completers': give one:           │\n"
            "│ --course-taker EMAIL (repeat it for more people) or --all-completers.        │\n",
        ),
        (
            ("--all-completers", "--course-taker", "ana@example.org"),
            "│ Invalid value for '--course-taker' / '--all-completers': give one or the     │\n"
            "│ other, not both.                                                             │\n",
        ),
    ],
    ids=["neither", "both"],
)
async def test_course_takers_chosen_wrongly_is_a_usage_error(
    world: CertificatesWorld, settings: Settings, tmp_path: Path, choice: tuple[str, ...], words: str
) -> None:
    # when
    built = _portal(
        settings, "certificates", "build", "--recognition", world.recognition_id, *choice,
        "--output", str(tmp_path / "file.pdf"), COLUMNS="80",
    )  # fmt: skip

    # then as typer says of any option given wrongly: the usage, the problem, exit status 2
    assert (built.returncode, built.stdout, built.stderr) == (
        2,
        "",
        "Usage: python -m service.cli certificates build [OPTIONS]\n"
        "Try 'python -m service.cli certificates build --help' for help.\n"
        "╭─ Error ──────────────────────────────────────────────────────────────────────╮\n"
        f"{words}"
        "╰──────────────────────────────────────────────────────────────────────────────╯\n",
    )
    assert await CertificateFileJob.all().count() == 0


def _on_a_terminal(settings: Settings, *arguments: str) -> tuple[int, bytes]:
    """`portal …` with its stderr on a pseudo-terminal: its exit status and what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*PORTAL, *arguments],
        env=environment(settings, TERM="xterm", COLUMNS="100"),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    with contextlib.suppress(OSError):  # the terminal closes with the process
        while chunk := os.read(leader, 4096):
            shown += chunk
    os.close(leader)
    return process.wait(timeout=60), shown


async def test_a_person_at_a_terminal_sees_a_progress_bar(
    world: CertificatesWorld, settings: Settings, tmp_path: Path
) -> None:
    # when
    status, shown = _on_a_terminal(
        settings, "certificates", "build", "--recognition", world.recognition_id, "--all-completers",
        "--output", str(tmp_path / "completers.pdf"),
    )  # fmt: skip

    # then: the bar and its count of chunks (3 course-takers: one chunk)
    assert status == 0
    assert b"Drawing certificates" in shown
    assert b"1/1" in shown


async def test_repair_draws_missing_pdfs_and_lists_what_it_revoked(
    world: CertificatesWorld, settings: Settings
) -> None:
    # given two valid certificates an earlier version left without a PDF: one printable, one blank
    printable = await _left_without_pdf(world, "Ana Completer", "Ana Completer")
    blank = await _left_without_pdf(world, "Gus Online-Completer", "   ")

    # when
    repaired = _portal(settings, "certificates", "repair")
    again = _portal(settings, "certificates", "repair")

    # then: the printable one has its file, the blank one is revoked and listed; a second run finds nothing
    assert (repaired.returncode, repaired.stdout, repaired.stderr) == (
        0,
        "PDFs repaired (recorded, but missing or damaged): 0; PDFs drawn for the first time (normal for "
        "certificates issued through a combined file): 1; certificates revoked: 1\n",
        f"{blank.code} revoked: The name is blank.\n",
    )
    assert (again.returncode, again.stdout) == (
        0,
        "PDFs repaired (recorded, but missing or damaged): 0; PDFs drawn for the first time (normal for "
        "certificates issued through a combined file): 0; certificates revoked: 0\n",
    )
    await printable.refresh_from_db()
    drawn = settings.resolved_files_dir / "certificates" / f"{printable.code}.pdf"
    assert drawn.stat().st_size == printable.file_size

    # and when that PDF is lost from the files folder, the next run repairs it, and says so
    drawn.unlink()
    lost = _portal(settings, "certificates", "repair")
    assert (lost.returncode, lost.stdout, lost.stderr) == (
        0,
        "PDFs repaired (recorded, but missing or damaged): 1; PDFs drawn for the first time (normal for "
        "certificates issued through a combined file): 0; certificates revoked: 0\n",
        f"{printable.code} repaired: its file was missing\n",
    )
    assert drawn.stat().st_size == printable.file_size


async def _left_without_pdf(world: CertificatesWorld, person: str, printed_name: str) -> Certificate:
    code = new_code()
    enrollment = world.enrollments[person]
    text = CertificateText(
        partner_name=world.partner.name,
        recipient_name=printed_name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Open",
        awarded_on=date(2026, 8, 19),
        code=code,
        verification_url=f"http://127.0.0.1:8000/verify/{code}",
    )
    return await Certificate.create(
        code=code,
        partner_id=world.partner.id,
        enrollment_id=enrollment.id,
        valid_enrollment_id=enrollment.id,
        recognition_id=world.recognition.id,
        printed=text.as_printed(),
        issued_by_id=world.admin.id,
        issued_at=datetime(2026, 9, 1, tzinfo=UTC),
    )


async def test_restore_completions_gives_back_those_of_valid_certificates_and_lists_them(
    world: CertificatesWorld, settings: Settings
) -> None:
    # given Ana's valid certificate, and her completion since taken away by a sync (as syncs before
    # such completions were kept did); and Gus's completion taken away too, his certificate revoked
    certificate = await _left_without_pdf(world, "Ana Completer", "Ana Completer")
    ana = world.enrollments["Ana Completer"]
    await Enrollment.filter(id=ana.id).update(completed_at=None, certified=False)
    await Cohort.filter(id=world.open_cohort.id).update(lms_course_id="554")
    gus = await _left_without_pdf(world, "Gus Online-Completer", "Gus Online-Completer")
    await Certificate.filter(id=gus.id).update(status=CertificateStatus.REVOKED, valid_enrollment_id=None)
    await Enrollment.filter(id=gus.enrollment_id).update(completed_at=None, certified=False)
    email = (await CourseTaker.get(id=ana.course_taker_id)).email

    # when
    restored = _portal(settings, "certificates", "restore-completions")
    again = _portal(settings, "certificates", "restore-completions")

    # then Ana's is given back on her certificate's date (noon there, in Chicago), and listed; a
    # second run finds nothing
    assert (restored.returncode, restored.stdout, restored.stderr) == (
        0,
        "Completions given back: 1\n",
        f"{email} (Open, course 554): completion of 19 August 2026 given back, as certificate "
        f"{certificate.code} is valid for it\n",
    )
    assert (again.returncode, again.stdout, again.stderr) == (0, "Completions given back: 0\n", "")
    stored = await Enrollment.filter(id__in=[ana.id, gus.enrollment_id]).order_by("id")
    assert [(enrollment.completed_at, enrollment.certified) for enrollment in stored] == [
        (datetime(2026, 8, 19, 17, tzinfo=UTC), True),
        (None, False),
    ]


def test_restore_completions_says_what_it_does_in_its_help() -> None:
    shown = subprocess.run(
        [*PORTAL, "certificates", "restore-completions", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert shown.returncode == 0
    assert (
        " ".join(shown.stdout.split()).count(
            "Give back the completion of every enrolment that has a valid certificate but no certified "
            "completion: one an earlier progress sync took away"
        )
        == 1
    )
