"""`portal certificates …`: certificates from the command line (for staff)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from service.cli.running import fail, progress, with_database
from service.errors import Problem
from service.settings import get_settings

certificates = typer.Typer(help="Certificates from the command line (for staff).", no_args_is_help=True)


def _recognition_key(value: str) -> int:
    """A recognition's number, or its global id as the API shows it."""
    from strawberry.relay import from_base64

    if value.isdigit():
        return int(value)
    try:
        type_name, key = from_base64(value)
    except ValueError:
        fail(f"No recognition {value!r}: give its number or its id from the API.")
    if type_name not in ("Ceremony", "CertificateRequest") or not key.isdigit():
        fail(f"No recognition {value!r}: give its number or its id from the API.")
    return int(key)


async def _whose(problems: list[Problem], selection: list[int]) -> list[Problem]:
    """The problems with a selected person (a name that cannot be printed, a revoked certificate),
    each led by the person's email: the services point at them by their place in the selection,
    which staff at a terminal never saw."""
    from service.enrollments.models import Enrollment

    places = [_place(problem, len(selection)) for problem in problems]
    wanted = [selection[where] for where in places if where is not None]
    rows = await Enrollment.filter(id__in=wanted).values_list("id", "course_taker__email")
    emails: dict[int, str] = {key: email for key, email in rows}
    return [
        problem
        if where is None
        else replace(problem, message=f"{emails[selection[where]]}: {problem.message}")
        for problem, where in zip(problems, places, strict=True)
    ]


def _place(problem: Problem, selected: int) -> int | None:
    """The place in the selection a problem is about (its field `enrollmentIds.<n>`), if any."""
    match problem.field:
        case ("enrollmentIds", str(index)) if index.isdigit() and int(index) < selected:
            return int(index)
    return None


@certificates.command("build")
def certificates_build(
    recognition: Annotated[str, typer.Option(help="The recognition: its number or its API id.")],
    output: Annotated[Path, typer.Option(help="Where to write the combined PDF.")],
    course_taker: Annotated[
        list[str] | None, typer.Option(help="Email of a course-taker to include (repeat it).")
    ] = None,
    all_completers: Annotated[bool, typer.Option(help="Every completer of the recognition.")] = False,
    staff: Annotated[
        str | None, typer.Option(help="Email of the staff user it is made for (default: the first).")
    ] = None,
) -> None:
    """Make one PDF of a recognition's certificates now, as the background job would."""
    import shutil
    import tempfile
    from datetime import UTC, datetime, timedelta

    from service.certificate_files.build import FileNotMade, FileWork, build_file_now
    from service.certificates.candidates import selection_of
    from service.errors import DomainError
    from service.users.services import staff_actor

    if all_completers == bool(course_taker):
        # A command given wrongly, said as typer says a missing option: with its usage, exit status 2.
        raise typer.BadParameter(
            "give one or the other, not both."
            if all_completers
            else "give one: --course-taker EMAIL (repeat it for more people) or --all-completers.",
            param_hint="'--course-taker' / '--all-completers'",
        )
    recognition_id = _recognition_key(recognition)
    # Made where the output goes before any certificate is issued, so an output that cannot be
    # written costs nothing; renamed to the output once the file is made.
    try:
        staged = Path(tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)[1])
    except OSError as error:
        fail(f"Cannot write {output}: {error.strerror or error}.")
    if output.is_dir():
        staged.unlink()
        fail(f"Cannot write {output}: it is a folder.")
    settings = get_settings()
    work = FileWork(
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
        mail_config=settings.mail_config(),
        lease=timedelta(seconds=settings.job_lease_seconds),
        stall=settings.job_stall,
    )

    def clock() -> datetime:
        return datetime.now(UTC)

    async def build(advance: Callable[[int, int], None]) -> tuple[int, Path]:
        actor = await staff_actor(email=staff)
        selection = await selection_of(
            actor=actor,
            recognition_id=recognition_id,
            emails=course_taker or [],
            all_completers=all_completers,
            now=clock(),
        )
        try:
            job, path = await build_file_now(
                actor=actor,
                recognition_id=recognition_id,
                enrollment_ids=selection,
                clock=clock,
                work=work,
                progress=advance,
            )
        except DomainError as error:
            raise DomainError(*await _whose(error.problems, selection)) from None
        return job.page_count or 0, path

    try:
        try:
            with progress("Drawing certificates") as advance:
                pages, path = with_database(lambda: build(advance))
        except DomainError as error:
            fail("\n".join(problem.message for problem in error.problems))
        except FileNotMade as error:
            fail(str(error))
        try:
            shutil.copyfile(path, staged)
            staged.replace(output)
        except OSError as error:
            fail(f"Cannot write {output}: {error.strerror or error}.")
    finally:
        staged.unlink(missing_ok=True)
    typer.echo(f"{pages} {'page' if pages == 1 else 'pages'} written to {output}")


@certificates.command("repair")
def certificates_repair() -> None:
    """Draw again every certificate PDF recorded but missing or damaged in the files folder (a real
    repair, listed); draw the PDF of every valid certificate without one yet (normal for those
    issued through a combined file, which get theirs when first needed); revoke, saying why, those
    whose name still cannot be printed. Safe to run again."""
    from datetime import UTC, datetime

    from service.certificates.repair import repair_missing_files

    files_dir = get_settings().resolved_files_dir
    done = with_database(lambda: repair_missing_files(files_dir=files_dir, now=datetime.now(UTC)))
    for code, why in done.repaired.items():
        typer.echo(f"{code} repaired: {why}", err=True)
    for code, reason in done.revoked.items():
        typer.echo(f"{code} revoked: {reason}", err=True)
    typer.echo(
        f"PDFs repaired (recorded, but missing or damaged): {len(done.repaired)}; "
        f"PDFs drawn for the first time (normal for certificates issued through a combined file): "
        f"{len(done.first_drawn)}; certificates revoked: {len(done.revoked)}"
    )


@certificates.command("restore-completions")
def certificates_restore_completions() -> None:
    """Give back the completion of every enrolment that has a valid certificate but no certified
    completion: one an earlier progress sync took away (before a sync kept such completions), which
    left the person listed as approaching, or not at all, while their certificate stayed valid. The
    completion is put back on the certificate's date; each enrolment given back is listed. Safe to
    run again."""
    from service.dates import written_day
    from service.lms.completions import restore_decided_completions

    restored = with_database(restore_decided_completions)
    for done in restored:
        where = done.cohort if done.course_id is None else f"{done.cohort}, course {done.course_id}"
        typer.echo(
            f"{done.email} ({where}): completion of {written_day(done.completed_on)} given back, as "
            f"certificate {done.code} is valid for it",
            err=True,
        )
    typer.echo(f"Completions given back: {len(restored)}")
