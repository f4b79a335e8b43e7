"""Issuing certificates: what each prints is fixed when it is issued, with a code anyone can check.

A name that cannot be printed faithfully is refused before anything is stored. A certificate issued
alone has its own PDF drawn and written before its record, so none is ever issued without one; one
issued for a combined file gets its own file on its first download (``printing.ensure_file``: its
pages were drawn into the combined file). Drawing is deterministic, so the file is always the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from service.audit.models import AuditAction
from service.certificate_templates.printing import assigned_versions
from service.certificates import issuing
from service.certificates.candidates import (
    LISTED_WITH,
    CandidateFilter,
    candidates_query,
    completed_on,
    kind_of,
    listing_of,
    of_kinds,
    recognition_for_certificates,
)
from service.certificates.models import CURRENT, Certificate, CertificateStatus
from service.certificates.printing import (
    draw_file,
    draw_files,
    ensure_file,
    unprintable,
)
from service.certificates.rules import CandidateKind, Listing, name_language, new_code, taken_over
from service.cohorts.models import CertificateType, Program
from service.credentials.indexes import assign_status_indexes
from service.enrollments.models import Enrollment
from service.errors import DomainError, ErrorCode, Forbidden, NotFound, Problem
from service.paging import Page
from service.partners.models import Partner
from service.pdf import CertificateText
from service.recognitions.models import Recognition, RecognitionKind, StoredStatus, local_date
from service.text import clean_text
from service.users.actor import Actor


def verification_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{code}"


async def issue_certificate(
    *, actor: Actor, recognition_id: int, enrollment_id: int, now: datetime, files_dir: Path, public_url: str
) -> Certificate:
    """The valid certificate of an enrolment listed on the recognition's certificates step, issued now
    if it has none. Approaching course-takers may be certified too (the guide allows it)."""
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    [certificate] = await certificates_for(
        actor=actor,
        recognition=recognition,
        enrollment_ids=[enrollment_id],
        now=now,
        files_dir=files_dir,
        public_url=public_url,
    )
    return certificate


async def certificates_for(
    *,
    actor: Actor,
    recognition: Recognition,
    enrollment_ids: list[int],
    now: datetime,
    files_dir: Path,
    public_url: str,
    with_files: bool = True,
) -> list[Certificate]:
    """The valid certificate of each enrolment, in order, issuing those not issued yet; a constant
    number of queries besides one insert per new certificate. Only candidates of this recognition,
    and names that can be printed, are issued (refused by position before anything is stored).
    Without files when the caller draws the pages itself (a combined file); with them, each new file
    is written before its record."""
    # Every enrolment is checked, also one that already has a certificate: one issued through
    # another recognition is no reason to hand it out through this one.
    every_candidate = of_kinds(await candidates_query(recognition, CandidateFilter()), None)
    # The program and type each prints come in the same query (a chunk of a combined file runs this
    # for every 50 pages: each statement saved is ~1 ms of its worker's wall time).
    found = {
        row.id: row
        for row in await every_candidate.filter(id__in=enrollment_ids).select_related(
            *LISTED_WITH, "cohort__program", "certificate_type"
        )
    }
    if unlisted := [index for index, key in enumerate(enrollment_ids) if key not in found]:
        raise DomainError(
            *(
                Problem(
                    ErrorCode.NOT_A_CANDIDATE,
                    "Not a course-taker of this recognition's certificates step.",
                    ("enrollmentId",) if len(enrollment_ids) == 1 else ("enrollmentIds", str(index)),
                )
                for index in unlisted
            )
        )
    existing = await valid_certificates_by_enrollment_ids(actor=actor, ids=enrollment_ids)
    for enrollment_id, certificate in (
        await _take_over(recognition, existing.values(), found, now=now)
    ).items():
        # As it is now; one revoked or replaced since it was read is not handed out.
        if certificate.status in CURRENT:
            existing[enrollment_id] = certificate
        else:
            del existing[enrollment_id]
    missing = [enrollment_id for enrollment_id in enrollment_ids if enrollment_id not in existing]
    await refuse_revoked(actor, missing, field_of=_field_of(enrollment_ids))
    if missing:
        partner = await issuing.partner_of(recognition, found.values())
        programs = {e.cohort.program_id: e.cohort.program.name for e in found.values()}
        types = {e.certificate_type_id: e.certificate_type.name for e in found.values()}
        statuses = {key: status_on_issue(found[key]) for key in missing}
        texts = {
            key: _text(
                found[key],
                partner,
                programs,
                types,
                awarded_on=_award_date(recognition, found[key], now=now, time_zone=partner.time_zone),
                public_url=public_url,
                provisional=statuses[key] is CertificateStatus.PROVISIONAL,
            )
            for key in missing
        }
        names = {key: (text.recipient_name, text.language) for key, text in texts.items()}
        if problems := unprintable(names, _field_of(enrollment_ids)):
            raise DomainError(*problems)
        # Each prints with the current version of its type's template (the default design if none).
        assigned = await assigned_versions(
            partner_id=partner.id, certificate_type_ids={found[key].certificate_type_id for key in missing}
        )
        versions = {key: assigned[found[key].certificate_type_id] for key in missing}
        files = await draw_files(texts, versions, files_dir=files_dir) if with_files else {}
        existing |= await issuing.record_many(
            actor=actor,
            recognition=recognition,
            texts=texts,
            statuses=statuses,
            versions=versions,
            files=files,
            now=now,
            files_dir=files_dir,
        )
        # Dated on the ceremony as it was read: if it moved meanwhile, they follow the move, which
        # could not see them (``issuing.follow_ceremony_again``).
        provisional = CertificateStatus.PROVISIONAL in statuses.values()
        if provisional and await issuing.follow_ceremony_again(
            recognition_id=recognition.id, as_read=recognition
        ):
            existing |= await valid_certificates_by_enrollment_ids(actor=actor, ids=missing)
    certificates = [existing[enrollment_id] for enrollment_id in enrollment_ids]
    await assign_status_indexes(certificates)
    if with_files:
        # Issued earlier for a combined file, a certificate gets its own file now.
        certificates = [await ensure_file(certificate, files_dir=files_dir) for certificate in certificates]
    return certificates


async def _take_over(
    recognition: Recognition,
    certificates: Iterable[Certificate],
    enrollments: dict[int, Enrollment],
    *,
    now: datetime,
) -> dict[int, Certificate]:
    """Those of ``certificates`` issued through another recognition that ``recognition`` takes over
    (``rules.taken_over``: any of a ceremony since cancelled; by a ceremony, a provisional one of a
    certificate request), moved to it by ``issuing.adopt``, a provisional one printing the day a new
    one would. No query when all are this recognition's."""
    others = {c.recognition_id for c in certificates if c.recognition_id != recognition.id}
    if not others:
        return {}
    found = Recognition.filter(id__in=others).values_list("id", "kind", "status")
    owners = {key: (kind, status) for key, kind, status in cast(list[tuple[int, str, str]], await found)}
    by_ceremony = recognition.kind is RecognitionKind.CEREMONY
    strays = [
        c
        for c in certificates
        if c.recognition_id in owners
        and taken_over(
            provisional=c.status is CertificateStatus.PROVISIONAL,
            from_cancelled=owners[c.recognition_id][1] == StoredStatus.CANCELLED,
            from_request=owners[c.recognition_id][0] == RecognitionKind.CERTIFICATE_REQUEST,
            by_ceremony=by_ceremony,
        )
    ]
    if not strays:
        return {}
    partner = await issuing.partner_of(recognition, enrollments.values())

    def day_of(taking: Recognition, certificate: Certificate) -> date:
        enrollment = enrollments[certificate.enrollment_id]
        return _award_date(taking, enrollment, now=now, time_zone=partner.time_zone)

    return await issuing.adopt(recognition.id, strays, day_of)


def _text(
    enrollment: Enrollment,
    partner: Partner,
    programs: dict[int, str],
    types: dict[int, str],
    *,
    awarded_on: date,
    public_url: str,
    provisional: bool,
) -> CertificateText:
    """What a new certificate prints, with a fresh code."""
    code = new_code()
    taker = enrollment.course_taker
    return CertificateText(
        partner_name=partner.name,
        recipient_name=taker.name,
        certificate_type=types[enrollment.certificate_type_id],
        program=programs[enrollment.cohort.program_id],
        cohort=enrollment.cohort.name,
        awarded_on=awarded_on,
        code=code,
        verification_url=verification_url(public_url, code),
        language=name_language(
            taker.name, course_taker_locale=taker.locale, partner_locale=partner.default_locale
        ),
        provisional=provisional,
    )


def _award_date(recognition: Recognition, enrollment: Enrollment, *, now: datetime, time_zone: str) -> date:
    """The completion date; for someone approaching, the ceremony's date (kept with it when the
    ceremony moves: ``issuing.follow_ceremony``), else (a certificate request has no date) the day
    of issue, until a ceremony hands it out and takes it over (``_take_over``)."""
    completion = completed_on(enrollment)
    if kind_of(enrollment) is CandidateKind.COMPLETER and completion is not None:
        return completion
    return (
        local_date(recognition.starts_at, recognition.time_zone) or now.astimezone(ZoneInfo(time_zone)).date()
    )


def status_on_issue(enrollment: Enrollment) -> CertificateStatus:
    """Valid for a completer; provisional for someone approaching (valid once they complete)."""
    if kind_of(enrollment) is CandidateKind.COMPLETER:
        return CertificateStatus.VALID
    return CertificateStatus.PROVISIONAL


def _field_of(enrollment_ids: list[int]) -> Callable[[int], tuple[str, ...]]:
    """Where a refusal about an enrolment points: the one ``enrollmentId``, or its position."""
    position = {key: index for index, key in reversed(list(enumerate(enrollment_ids)))}
    if len(enrollment_ids) == 1:
        return lambda _key: ("enrollmentId",)
    return lambda key: ("enrollmentIds", str(position[key]))


async def _visible(actor: Actor, certificate_id: int) -> Certificate:
    certificate = await actor.scope(Certificate.filter(id=certificate_id)).first()
    if certificate is None:
        raise NotFound("Certificate", field=("id",))
    return certificate


async def revoke_certificate(
    *, actor: Actor, certificate_id: int, reason: str | None, now: datetime
) -> Certificate:
    """Staff: a certificate stops being valid; its code then verifies as revoked."""
    if not actor.is_staff:
        raise Forbidden("Only staff may revoke a certificate.", field=("id",))
    certificate = await _visible(actor, certificate_id)
    text, problems = clean_text(reason, field=("reason",), max_length=500, required=True)
    if problems:
        raise DomainError(*problems)
    async with in_transaction() as connection:
        revoked = (
            await Certificate.filter(id=certificate.id, status__in=CURRENT)
            .using_db(connection)
            .update(
                status=CertificateStatus.REVOKED,
                valid_enrollment_id=None,
                revoked_at=now,
                revoked_reason=text,
            )
        )
        if not revoked:
            raise issuing.not_valid(certificate)
        await issuing.audit_certificate(
            certificate, AuditAction.CERTIFICATE_REVOKED, actor, now, connection, reason=text
        )
    await certificate.refresh_from_db()
    return certificate


async def reissue_certificate(
    *, actor: Actor, certificate_id: int, now: datetime, files_dir: Path, public_url: str
) -> Certificate:
    """A new certificate with today's data (e.g. a corrected name) and a new code, its file written
    first; the old one is kept, and its code verifies as replaced. A name that cannot be printed is
    refused and nothing changes."""
    old = await _visible(actor, certificate_id)
    if old.status not in CURRENT:
        raise issuing.not_valid(old)
    recognition = await Recognition.get(id=old.recognition_id)
    enrollment = await Enrollment.get(id=old.enrollment_id).select_related(*LISTED_WITH)
    partner = await Partner.get(id=recognition.partner_id)
    program = await Program.get(id=enrollment.cohort.program_id)
    certificate_type = await CertificateType.get(id=enrollment.certificate_type_id)
    status: CertificateStatus
    if old.status is CertificateStatus.VALID:
        # Its completion is decided: the new one is valid with the same date, whatever the enrolment
        # has said since (a re-issue corrects the name, not the completion).
        status, awarded_on = CertificateStatus.VALID, date.fromisoformat(old.printed["awarded_on"])
    elif listing_of(enrollment, in_selected_cohorts=True) is Listing.LISTED:
        # Provisional: what the enrolment is now (valid, dated with the completion, once completed).
        status = status_on_issue(enrollment)
        awarded_on = _award_date(recognition, enrollment, now=now, time_zone=partner.time_zone)
    else:
        raise DomainError.of(
            ErrorCode.NOT_A_CANDIDATE,
            "Not a course-taker of this recognition's certificates step.",
            field=("id",),
        )
    text = _text(
        enrollment,
        partner,
        {program.id: program.name},
        {certificate_type.id: certificate_type.name},
        awarded_on=awarded_on,
        public_url=public_url,
        provisional=status is CertificateStatus.PROVISIONAL,
    )
    if problems := unprintable({old.id: (text.recipient_name, text.language)}, lambda _key: ("id",)):
        raise DomainError(*problems)
    # A re-issue prints with the current version of the template, not the old certificate's.
    assigned = await assigned_versions(partner_id=partner.id, certificate_type_ids=[certificate_type.id])
    version = assigned[certificate_type.id]
    certificate = await issuing.record_one(
        actor=actor,
        recognition=recognition,
        enrollment=enrollment,
        text=text,
        status=status,
        version=version,
        now=now,
        drawn=await draw_file(text, version, files_dir=files_dir),
        files_dir=files_dir,
        replacing=old,
    )
    await assign_status_indexes([certificate])
    return certificate


async def refuse_revoked(
    actor: Actor, enrollment_ids: Sequence[int], *, field_of: Callable[[int], tuple[str, ...]]
) -> None:
    """Staff revoked the certificate of some of these enrolments and none has been issued since: a
    partner cannot undo that by issuing again (staff can). Refused at ``field_of`` each such
    enrolment, in the given order, each message naming the person and the revoked certificate. One
    query."""
    ids = list(dict.fromkeys(enrollment_ids))
    if actor.is_staff or not ids:
        return
    revoked = await revoked_certificates_by_enrollment_ids(actor=actor, ids=ids)
    if revoked:
        raise DomainError(
            *(
                Problem(ErrorCode.FORBIDDEN, revoked_message(revoked[key]), field_of(key))
                for key in ids
                if key in revoked
            )
        )


def revoked_message(certificate: Certificate) -> str:
    """Why no one but staff may issue this enrolment another certificate."""
    return (
        f"{certificate.printed['recipient_name']}'s certificate {certificate.code} was revoked by staff "
        f"({certificate.revoked_reason}); only staff can issue another."
    )


async def revoked_certificates_by_enrollment_ids(
    *, actor: Actor, ids: Iterable[int]
) -> dict[int, Certificate]:
    """The certificate staff revoked of each enrolment that has had none issued since (the one revoked
    last), among those the actor may see: only staff may issue it another. One query."""
    found = await actor.scope(
        Certificate.filter(enrollment_id__in=set(ids), status__in=(CertificateStatus.REVOKED, *CURRENT))
    ).order_by("revoked_at", "id")
    current = {certificate.enrollment_id for certificate in found if certificate.status in CURRENT}
    return {
        certificate.enrollment_id: certificate
        for certificate in found
        if certificate.status is CertificateStatus.REVOKED and certificate.enrollment_id not in current
    }


async def valid_certificates_by_enrollment_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Certificate]:
    """The current certificate (valid or provisional) of each enrolment that has one, among those the
    actor may see."""
    found = await actor.scope(Certificate.filter(valid_enrollment_id__in=set(ids)))
    return {certificate.enrollment_id: certificate for certificate in found}


async def certificates_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Certificate]:
    return {
        certificate.id: certificate for certificate in await actor.scope(Certificate.filter(id__in=set(ids)))
    }


async def certificates_page(
    *, recognition_id: int, statuses: Sequence[CertificateStatus] | None, first: int, after: int | None
) -> Page[Certificate]:
    """The certificates issued through a recognition (the caller has checked it is the actor's),
    newest first, whatever their status unless ``statuses`` narrows it (an empty list to none);
    counted."""
    query = Certificate.filter(recognition_id=recognition_id)
    if statuses is not None:
        query = query.filter(status__in=list(statuses))
    total = await query.count()
    if after is not None:
        query = query.filter(id__lt=after)
    return Page.of(await query.order_by("-id").limit(first + 1), first, total=total)
