"""What we mail about certificate files: a link back to the recognition, never a bare file link."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from service.certificate_files.models import CertificateFileJob
from service.mail.compose import MailConfig, compose
from service.recognitions.models import Recognition
from service.users.models import User


def ready_key(job: CertificateFileJob) -> str:
    return f"certificate-file-ready:{job.id}"


def failed_key(job: CertificateFileJob) -> str:
    return f"certificate-file-failed:{job.id}"


def _page(config: MailConfig, recognition: Recognition) -> str:
    return f"{config.public_url.rstrip('/')}/recognitions/{recognition.id}/certificates"


def file_ready(
    job: CertificateFileJob, *, recognition: Recognition, user: User, config: MailConfig, now: datetime
) -> EmailMessage:
    return compose(
        config=config,
        key=ready_key(job),
        recipient=user.email,
        subject=f"Your certificates file is ready: {recognition.name}",
        paragraphs=[
            f"Dear {user.name},",
            f"The combined file of {job.total} certificates for \u201c{recognition.name}\u201d is ready.",
            f"Download it from the recognition's Certificates page, under Download \u2192 Download Last "
            f"Certificates File: {_page(config, recognition)}",
        ],
        sent_at=now,
    )


def file_failed(
    job: CertificateFileJob, *, recognition: Recognition, user: User, config: MailConfig, now: datetime
) -> EmailMessage:
    return compose(
        config=config,
        key=failed_key(job),
        recipient=user.email,
        subject=f"Your certificates file could not be made: {recognition.name}",
        paragraphs=[
            f"Dear {user.name},",
            f"We could not make the combined file of {job.total} certificates "
            f"for \u201c{recognition.name}\u201d.",
            job.error_message or "",
            "You can request it again from the recognition's Certificates page: "
            + _page(config, recognition),
        ],
        sent_at=now,
    )
