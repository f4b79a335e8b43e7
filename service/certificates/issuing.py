"""Storing issued certificates: a chunk in one insert with its places in the status lists, or one
at a time (replacing another, or when someone issued meanwhile), each with the file drawn for it;
what revoking and re-issuing share with it (the refusal of a certificate no longer current, the
audit entry); and provisional certificates following their ceremony's day, also those a ceremony
takes over. ``services`` decides what is issued and taken over; this module writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificates.models import CURRENT, Certificate, CertificateStatus
from service.certificates.printing import DrawnFile, remove_files
from service.credentials.indexes import places_for_new
from service.enrollments.models import Enrollment
from service.errors import DomainError, ErrorCode
from service.partners.models import Partner
from service.pdf import CertificateText
from service.recognitions.models import Recognition, local_date
from service.users.actor import Actor


async def partner_of(recognition: Recognition, enrollments: Iterable[Enrollment]) -> Partner:
    """The recognition's partner: the one its cohorts' rows brought along, else read."""
    for enrollment in enrollments:
        if enrollment.cohort.partner_id == recognition.partner_id:
            return enrollment.cohort.partner
    return await Partner.get(id=recognition.partner_id)


# Inserts of a chunk of new certificates before they are issued one at a time: a second draw of
# places gets past a place taken meanwhile (a certificate issued meanwhile refuses both).
BULK_ATTEMPTS = 2


async def record_many(
    *,
    actor: Actor,
    recognition: Recognition,
    texts: dict[int, CertificateText],
    statuses: dict[int, CertificateStatus],
    versions: dict[int, int | None],
    files: dict[int, DrawnFile],
    now: datetime,
    files_dir: Path,
) -> dict[int, Certificate]:
    """Issue certificates to these enrolments in one insert, with their places in the status lists.
    A place another process took meanwhile (or any refusal) gets one more insert with places drawn
    afresh; if that is refused too, some certificate was issued meanwhile by someone else: one at a
    time instead, theirs standing (and the files drawn for ours removed), placed afterwards."""
    for _attempt in range(BULK_ATTEMPTS):
        places = iter(await places_for_new(len(texts)))
        rows = [
            Certificate(
                code=text.code,
                partner_id=recognition.partner_id,
                enrollment_id=enrollment_id,
                valid_enrollment_id=enrollment_id,
                recognition_id=recognition.id,
                status=statuses[enrollment_id],
                printed=text.as_printed(),
                template_version_id=versions[enrollment_id],
                issued_by_id=actor.user_id,
                issued_at=now,
                credential_status_index=next(places),
                **(files[enrollment_id].as_fields() if enrollment_id in files else {}),
            )
            for enrollment_id, text in texts.items()
        ]
        try:
            async with in_transaction():
                await Certificate.bulk_create(rows)
        except IntegrityError:
            continue
        return {c.enrollment_id: c for c in await Certificate.filter(valid_enrollment_id__in=list(texts))}
    enrollments = {e.id: e for e in await Enrollment.filter(id__in=list(texts))}
    return {
        key: await record_one(
            actor=actor,
            recognition=recognition,
            enrollment=enrollments[key],
            text=text,
            status=statuses[key],
            version=versions[key],
            now=now,
            drawn=files.get(key),
            files_dir=files_dir,
        )
        for key, text in texts.items()
    }


async def record_one(
    *,
    actor: Actor,
    recognition: Recognition,
    enrollment: Enrollment,
    text: CertificateText,
    status: CertificateStatus,
    version: int | None,
    now: datetime,
    drawn: DrawnFile | None,
    files_dir: Path,
    replacing: Certificate | None = None,
) -> Certificate:
    """Issue the certificate (replacing another) with its file; someone issuing at the same moment
    wins instead, and the file drawn for ours is removed."""
    try:
        async with in_transaction() as connection:
            if replacing is not None:
                replaced = (
                    await Certificate.filter(id=replacing.id, status__in=CURRENT)
                    .using_db(connection)
                    .update(status=CertificateStatus.REPLACED, valid_enrollment_id=None)
                )
                if not replaced:
                    raise not_valid(replacing)
            certificate = await Certificate.create(
                code=text.code,
                partner_id=recognition.partner_id,
                enrollment_id=enrollment.id,
                valid_enrollment_id=enrollment.id,
                recognition_id=recognition.id,
                status=status,
                printed=text.as_printed(),
                template_version_id=version,
                issued_by_id=actor.user_id,
                issued_at=now,
                using_db=connection,
                **(drawn.as_fields() if drawn is not None else {}),
            )
            if replacing is not None:
                await (
                    Certificate.filter(id=replacing.id)
                    .using_db(connection)
                    .update(replaced_by_id=certificate.id)
                )
                await audit_certificate(
                    replacing,
                    AuditAction.CERTIFICATE_REISSUED,
                    actor,
                    now,
                    connection,
                    **{"replacedBy": f"Certificate:{certificate.id}", "newCode": certificate.code},
                )
            return certificate
    except (IntegrityError, DomainError):
        # Issued (or replaced) by someone else at the same moment: theirs stands.
        if drawn is not None:
            remove_files([drawn], files_dir=files_dir)
        winner = await Certificate.get_or_none(valid_enrollment_id=enrollment.id)
        if winner is None or replacing is not None:
            raise
        return winner


async def follow_ceremony(recognition: Recognition, connection: BaseDBAsyncClient) -> int:
    """The ceremony moved: its provisional certificates (issued through it, or taken over by it:
    ``adopt``) print its new day, in the transaction of the move, and are drawn again on their next
    download (and in any combined file made after). Valid certificates keep their completion date;
    a provisional credential carries no date and its status entry stays "suspended", so only what
    is printed changes. How many were re-dated."""
    day = local_date(recognition.starts_at, recognition.time_zone)
    if day is None:
        return 0
    provisional = Certificate.filter(recognition_id=recognition.id, status=CertificateStatus.PROVISIONAL)
    moved = 0
    for certificate in await provisional.using_db(connection).select_for_update().order_by("id"):
        if certificate.printed.get("awarded_on") == day.isoformat():
            continue
        # Only while still provisional: one that settled valid meanwhile keeps its completion date.
        moved += await (
            Certificate.filter(id=certificate.id, status=CertificateStatus.PROVISIONAL)
            .using_db(connection)
            .update(
                printed={**certificate.printed, "awarded_on": day.isoformat()},
                file_name=None,
                file_size=None,
                file_sha256=None,
            )
        )
    return moved


async def follow_ceremony_again(*, recognition_id: int, as_read: Recognition | None = None) -> int:
    """For one who issued certificates while the ceremony moved: those written with the day before
    the move, which the move could not see, print the ceremony's day now (the recognition locked, so
    a move under way comes first). With ``as_read`` (the recognition as the issuer read it), nothing
    to do when the ceremony is still where it was. How many were re-dated."""
    async with in_transaction() as connection:
        recognition = (
            await Recognition.filter(id=recognition_id).using_db(connection).select_for_update().get()
        )
        if as_read is not None and (recognition.starts_at, recognition.time_zone) == (
            as_read.starts_at,
            as_read.time_zone,
        ):
            return 0
        return await follow_ceremony(recognition, connection)


async def adopt(
    recognition_id: int,
    strays: Iterable[Certificate],
    day_of: Callable[[Recognition, Certificate], date],
) -> dict[int, Certificate]:
    """Certificates issued through another recognition, handed out now through the one
    ``recognition_id`` takes over (``rules.taken_over`` says which): they move to it (its counts and
    files include them), and a provisional one prints ``day_of(it, the certificate)`` (a ceremony's
    day, which it then follows when the ceremony moves) and is drawn again on its next download. The
    code stays: a provisional credential carries no date. Under the recognition's row lock, as a move
    takes it (``follow_ceremony``): a move under way comes first and its day is read after it; a move
    after finds them here. Each move is guarded (still where it was, in the status it was read in: one
    that settled valid meanwhile keeps its completion date); by enrolment, as they are now."""
    moved = []
    async with in_transaction() as connection:
        recognition = (
            await Recognition.filter(id=recognition_id).using_db(connection).select_for_update().get()
        )
        for certificate in strays:
            fields: dict[str, Any] = {"recognition_id": recognition.id}
            day = day_of(recognition, certificate).isoformat()
            provisional = certificate.status is CertificateStatus.PROVISIONAL
            if provisional and certificate.printed.get("awarded_on") != day:
                fields |= {
                    "printed": {**certificate.printed, "awarded_on": day},
                    **dict.fromkeys(("file_name", "file_size", "file_sha256")),
                }
            await (
                Certificate.filter(
                    id=certificate.id, recognition_id=certificate.recognition_id, status=certificate.status
                )
                .using_db(connection)
                .update(**fields)
            )
            moved.append(certificate.id)
    # As they are now: moved, or (changed meanwhile) not, and then maybe no longer current.
    return {certificate.enrollment_id: certificate for certificate in await Certificate.filter(id__in=moved)}


def not_valid(certificate: Certificate) -> DomainError:
    return DomainError.of(
        ErrorCode.NOT_ALLOWED_IN_STATUS,
        f"This certificate is {certificate.status.value.lower()}; only a valid or provisional one can "
        "be changed.",
        field=("id",),
    )


async def audit_certificate(
    certificate: Certificate,
    action: AuditAction,
    actor: Actor,
    now: datetime,
    connection: BaseDBAsyncClient,
    **details: Any,
) -> None:
    await audit.record_action(
        action=action,
        actor=actor,
        partner_id=certificate.partner_id,
        subject=f"Certificate:{certificate.id}",
        now=now,
        details={"code": certificate.code, **details},
        connection=connection,
    )
