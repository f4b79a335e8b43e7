"""What we mail about certificate files: a link back to the recognition, never a bare file link."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from service.certificate_files.models import CertificateFileJob
from service.certificate_files.requests import NAMED_AT_MOST
from service.mail.compose import Link, MailConfig, compose, mailbox
from service.mail.links import global_id, with_query
from service.recognitions.invitations import TYPE_NAMES
from service.recognitions.models import Recognition
from service.users.models import User


def ready_key(job: CertificateFileJob) -> str:
    return f"certificate-file-ready:{job.id}"


def failed_key(job: CertificateFileJob) -> str:
    return f"certificate-file-failed:{job.id}"


def _page(config: MailConfig, recognition: Recognition) -> str:
    return config.links.certificates(TYPE_NAMES[recognition.kind], recognition.id)


def file_page(config: MailConfig, recognition: Recognition, job: CertificateFileJob) -> str:
    """The Certificates page with this very file to download (``file``: its global id): the newest
    file of the recognition may be another one."""
    return with_query(_page(config, recognition), file=global_id("CertificateFileJob", job.id))


def file_ready(
    job: CertificateFileJob, *, recognition: Recognition, user: User, config: MailConfig, now: datetime
) -> EmailMessage:
    return compose(
        config=config,
        key=ready_key(job),
        recipient=mailbox(user.name, user.email),
        subject=f"Your certificates file is ready: {recognition.name}",
        paragraphs=[
            f"Dear {user.name},",
            f"The combined file of {job.total} certificates you asked for, for "
            f"\u201c{recognition.name}\u201d, is ready. The link below opens the recognition's "
            "Certificates page with this file to download (Download \u2192 Download Last Certificates "
            "File gives the newest file of the recognition, which may be one asked for since).",
            *left_out_words(job.left_out),
            Link("Download this file", file_page(config, recognition, job)),
        ],
        sent_at=now,
    )


# The "ready" mail names those left out when they are at most NAMED_AT_MOST; else it counts them.


def left_out_words(left_out: list[dict[str, Any]]) -> list[str]:
    """Who the file was made without because staff revoked their certificate, by name when they are
    few (none: nothing to say)."""
    count = len(left_out)
    if not count:
        return []
    # A name two of them share is told apart by their addresses.
    times = Counter(str(person["name"]) for person in left_out)
    names = [
        f"{person['name']} ({person['email']})" if times[str(person["name"])] > 1 else str(person["name"])
        for person in left_out
    ]
    if count == 1:
        return [
            f"1 person whose certificate was revoked by staff is not in this file: {names[0]}. Only staff "
            "can issue them another certificate."
        ]
    if count <= NAMED_AT_MOST:
        who = f": {', '.join(names[:-1])} and {names[-1]}."
    else:
        who = f", among them {', '.join(names[:NAMED_AT_MOST])}. The Certificates page shows each as revoked."
    return [
        f"{count:,} people whose certificates were revoked by staff are not in this file{who} Only staff "
        "can issue them another certificate."
    ]


def file_failed(
    job: CertificateFileJob, *, recognition: Recognition, user: User, config: MailConfig, now: datetime
) -> EmailMessage:
    return compose(
        config=config,
        key=failed_key(job),
        recipient=mailbox(user.name, user.email),
        subject=f"Your certificates file could not be made: {recognition.name}",
        paragraphs=[
            f"Dear {user.name},",
            f"We could not make the combined file of {job.total} certificates "
            f"for \u201c{recognition.name}\u201d.",
            job.error_message or "",
            "You can request it again from the recognition's Certificates page.",
            Link("Open the Certificates page", _page(config, recognition)),
        ],
        sent_at=now,
    )
