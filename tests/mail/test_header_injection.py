"""No name can reach a mail header or a download's file name as anything but text: text typed with a
line break is refused, and a stored one (imported data) is folded into one line before it is sent."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import getaddresses
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from service.recognitions import mails
from service.recognitions.models import Recognition
from tests.support.certificates_world import enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.mail_samples import CONFIG, NOW, sample_ceremony
from tests.support.recognition_api import CEREMONY_CREATE, CEREMONY_UPDATE, COMPLETE_STEP_2, make_world, step1
from tests.support.recognition_api import call_mutation as _call

BREAKS = ["\r\n", "\n", "\r", "\x85", "\u2028", "\u2029"]
INJECTED = "Bcc: evil@example.org"
ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code downloadUrl } errors { code } }
}
"""


@pytest.mark.parametrize("line_break", BREAKS, ids=[repr(b) for b in BREAKS])
async def test_typed_text_with_a_line_break_is_refused(gql: GraphQLClient, line_break: str) -> None:
    # given a draft ceremony
    world = await make_world()
    created = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    ceremony_id = created["ceremony"]["id"]
    before = await Recognition.all().order_by("id").values()
    contact = COMPLETE_STEP_2["mailingContact"]

    # when the name, the contact's name and the contact's email each carry a header
    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {
            "id": ceremony_id,
            **COMPLETE_STEP_2,
            "name": f"Spring{line_break}{INJECTED}",
            "mailingContact": {
                **contact,
                "name": f"Aroha{line_break}{INJECTED}",
                "email": f"{contact['email']}{line_break}{INJECTED}",
            },
        },
        world.admin,
    )

    # then
    assert sorted((tuple(error["field"]), error["code"]) for error in result["errors"]) == [
        (("mailingContact", "email"), "INVALID_TEXT"),
        (("mailingContact", "name"), "INVALID_TEXT"),
        (("name",), "INVALID_TEXT"),
    ]
    assert await Recognition.all().order_by("id").values() == before


def _sent(message: Any) -> Any:
    return message_from_bytes(message.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("line_break", BREAKS, ids=[repr(b) for b in BREAKS])
def test_a_stored_name_with_a_line_break_adds_no_header(line_break: str) -> None:
    ceremony = sample_ceremony()
    ceremony.name = f"Spring{line_break}{INJECTED}"
    ceremony.contact_name = f"Aroha{line_break}{INJECTED}"

    for message in (
        mails.pins_mailed(ceremony, key="test", config=CONFIG, now=NOW),
        mails.ceremony_confirmation(
            ceremony,
            key="test",
            requester=mails.contact_of(ceremony),
            partner_name="Riverside",
            config=CONFIG,
            now=NOW,
        ),
    ):
        sent = _sent(message)
        assert sent.get_all("Bcc") is None
        assert getaddresses(sent.get_all("To")) == [("Aroha " + INJECTED, "aroha.ngata@riverside.example")]
        assert sent["Subject"].endswith(f": Spring {INJECTED}")


async def test_a_download_is_named_by_its_code_whatever_the_name(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    # given a course-taker whose stored name tries to steer the file name
    world = await make_certificates_world()
    name = 'Ana "x.pdf"; filename=../../etc/passwd\r\nSet-Cookie: a=b'
    world.enrollments[name] = await enroll(
        world.partner, world.open_cohort, name, completed=True, certified=True
    )
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", world.enrollments[name].id),
            }
        },
        token=token_for(world.admin),
    )
    certificate = body["data"]["certificateIssue"]["certificate"]

    # when
    response = await http.get(certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000"))

    # then
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="certificate-{certificate["code"]}.pdf"'
    )
    assert "set-cookie" not in response.headers
