"""Every mail names its recipient the same way, "Name <address>", the name in any script written as
RFC 2047 encoded words, so that the header itself stays ASCII and any mail program shows the name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from service.certificate_files import mails as file_mails
from service.certificate_files.models import CertificateFileJob
from service.mail.links import PortalLinks
from service.recognitions import mails
from service.recognitions.mails import Person
from service.users.models import User
from tests.support.mail_samples import CONFIG, NOW, sample_ceremony

ADDRESS = "reader@riverside.example"
NAMES = [
    "Dana Whitfield",
    "Zoë Ångström-Nørgaard",
    "Дмитрий Шостакович",
    "欧阳娜娜",
    "محمد بن عبد الله الهاشمي",
    'Whitfield, Dana "DW"',
]


def _file_ready(name: str) -> EmailMessage:
    job = CertificateFileJob(id=7, total=3)
    user = User(id=3, name=name, email=ADDRESS)
    return file_mails.file_ready(job, recognition=sample_ceremony(), user=user, config=CONFIG, now=NOW)


def _file_failed(name: str) -> EmailMessage:
    job = CertificateFileJob(id=7, total=3, error_message="The file could not be stored.")
    user = User(id=3, name=name, email=ADDRESS)
    return file_mails.file_failed(job, recognition=sample_ceremony(), user=user, config=CONFIG, now=NOW)


def _confirmation(name: str) -> EmailMessage:
    requester = Person(name=name, email=ADDRESS)
    return mails.ceremony_confirmation(
        sample_ceremony(), key="t", requester=requester, partner_name="Riverside", config=CONFIG, now=NOW
    )


def _pins_mailed(name: str) -> EmailMessage:
    ceremony = sample_ceremony()
    ceremony.contact_name, ceremony.contact_email = name, ADDRESS
    return mails.pins_mailed(ceremony, key="t", config=CONFIG, now=NOW)


def _contact_replaced(name: str) -> EmailMessage:
    former = Person(name=name, email=ADDRESS)
    return mails.contact_replaced(
        sample_ceremony(), key="t", former=former, ask=[], partner_name="Riverside", config=CONFIG, now=NOW
    )


def _pins_renamed(name: str) -> EmailMessage:
    ceremony = sample_ceremony()
    ceremony.contact_name, ceremony.contact_email = name, ADDRESS
    return mails.pins_renamed(
        ceremony, key="t", renamed_from="Spring", partner_name="Riverside", config=CONFIG, now=NOW
    )


MAILS: dict[str, Callable[[str], EmailMessage]] = {
    "file ready": _file_ready,
    "file failed": _file_failed,
    "ceremony confirmation": _confirmation,
    "pins mailed": _pins_mailed,
    "no longer the mailing contact": _contact_replaced,
    "pins renamed": _pins_renamed,
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mail", list(MAILS))
def test_the_recipient_is_named_and_the_name_reaches_the_reader_whole(mail: str, name: str) -> None:
    # when the mail is written as it is sent
    sent = MAILS[mail](name).as_bytes()

    # then its To header is ASCII (encoded words for any other script) and reads back as the name
    [to_line] = [
        line
        for line in sent.split(b"\n\n", 1)[0].replace(b"\n ", b" ").splitlines()
        if line.startswith(b"To:")
    ]
    assert to_line.isascii()
    received = message_from_bytes(sent, policy=policy.default)
    assert getaddresses([str(received["To"])]) == [(name, ADDRESS)]


def test_the_file_ready_mail_is_addressed_like_the_others() -> None:
    ready, confirmation = _file_ready("Dana Whitfield"), _confirmation("Dana Whitfield")

    assert ready["To"] == confirmation["To"] == f"Dana Whitfield <{ADDRESS}>"


def test_the_file_ready_mail_leads_to_that_very_file() -> None:
    # the newest file of the recognition may be another one, asked for since: the link names this one
    ready = _file_ready("Dana Whitfield")
    body = ready.get_body(("plain",))
    assert body is not None
    text = " ".join(str(body.get_content()).split())

    assert (
        "The combined file of 3 certificates you asked for, for \u201cSpring pinning ceremony\u201d, "
        "is ready." in text
    )
    assert (
        "Download this file: https://portal.example.org/recognitions/Q2VyZW1vbnk6NDI=/certificates"
        "?file=Q2VydGlmaWNhdGVGaWxlSm9iOjc%3D"
    ) in text


@pytest.mark.parametrize(
    ("route", "link"),
    [
        ("/recognitions/{id}/certificates", "/recognitions/Q2VyZW1vbnk6NDI=/certificates?file=FILE"),
        (
            "/portal?recognition={id}&step=certificates",
            "/portal?recognition=Q2VyZW1vbnk6NDI=&step=certificates&file=FILE",
        ),
        (
            "/portal?recognition={id}#certificates",
            "/portal?recognition=Q2VyZW1vbnk6NDI=&file=FILE#certificates",
        ),
        ("/recognitions/{id}#certificates", "/recognitions/Q2VyZW1vbnk6NDI=?file=FILE#certificates"),
        ("/portal?{id}&", "/portal?Q2VyZW1vbnk6NDI=&file=FILE"),
    ],
    ids=["path", "query", "query-and-fragment", "fragment", "query-ending-in-&"],
)
def test_the_file_ready_link_adds_the_file_to_the_routes_own_query(route: str, link: str) -> None:
    # given a portal whose certificates step is reached through a query, or a fragment
    config = replace(
        CONFIG, portal=PortalLinks(app_url="https://portal.example.org", certificates_route=route)
    )

    # when
    page = file_mails.file_page(config, sample_ceremony(), CertificateFileJob(id=7, total=3))

    # then `file` joins the route's query (one `?`), and a fragment stays last
    assert page == "https://portal.example.org" + link.replace("FILE", "Q2VydGlmaWNhdGVGaWxlSm9iOjc%3D")
