"""Issue, then verify: every way a credential can fail names the check that failed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from service.certificates.models import Certificate, CertificateStatus
from service.certificates.provisional import settle_provisional_certificates
from service.cohorts.models import Cohort
from service.credentials.config import credentials_config
from service.credentials.keys import RETIRED_DIR, rotate_keys
from service.credentials.status import StatusLists, shared_status_lists
from service.credentials.verification import Check, CredentialVerification, verify_credential
from service.enrollments.models import Enrollment
from service.partners.models import Partner
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.credentials import (
    altered,
    b64,
    credential,
    issue,
    jwt_of,
    leaves,
    parts,
    revoke,
    signed_by_stranger,
    signed_by_us,
    status_position,
    with_header,
    with_payload,
)
from tests.support.graphql_client import GraphQLClient

VERIFY = """
query Verify($credential: String!) {
  verifyCredential(credential: $credential) { valid failedCheck passedChecks message state code }
}
"""
REISSUE = """
mutation Reissue($input: CertificateReissueInput!) {
  certificateReissue(input: $input) { certificate { code } errors { code } }
}
"""
ALL = [check.value for check in Check]


async def _check(token: str, settings: Settings, clock: MovableClock) -> CredentialVerification:
    config = credentials_config(settings)
    return await verify_credential(token, now=clock.now(), config=config, lists=StatusLists(config))


async def _verify(gql: GraphQLClient, token: str) -> dict[str, Any]:
    body = await gql.post(VERIFY, {"credential": token})  # no sign-in
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["verifyCredential"]
    return result


def _failed(check: Check) -> tuple[bool, Check | None, list[Check]]:
    order = list(Check)
    return False, check, order[: order.index(check)]


async def test_a_credential_issued_then_verified_over_the_api_is_valid(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)

    assert await _verify(gql, token) == {
        "valid": True,
        "failedCheck": None,
        "passedChecks": ALL,
        "message": "The credential is valid.",
        "state": "VALID",
        "code": certificate.code,
    }


async def test_every_field_tampered_with_and_the_signature_fail_the_signature_check(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)
    _, payload, signature = parts(token)
    paths = leaves(payload)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    results = [await _check(with_payload(token, altered(payload, path)), settings, clock) for path in paths]
    forged = await _check(token.rsplit(".", 1)[0] + "." + flipped, settings, clock)

    # every scalar of the credential, the recipient's hash and salt among them
    assert len(paths) > 30 and ("credentialSubject", "identifier", 0, "identityHash") in paths
    assert {(r.valid, r.failed, tuple(r.passed)) for r in results} == {
        (False, Check.SIGNATURE, (Check.FORMAT, Check.ISSUER, Check.KEY))
    }
    assert (forged.valid, forged.failed, forged.passed) == _failed(Check.SIGNATURE)


async def test_a_header_or_issuer_changed_names_its_own_check(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)
    header, payload, _ = parts(token)

    other_kid = await _check(with_header(token, {**header, "kid": "not-ours"}), settings, clock)
    other_alg = await _check(with_header(token, {**header, "alg": "HS256"}), settings, clock)
    stranger = await _check(
        signed_by_stranger({**payload, "issuer": {"id": "https://badges.example.com/issuer"}}),
        settings,
        clock,
    )
    stranger_as_us = await _check(signed_by_stranger(payload), settings, clock)
    stranger_with_our_kid = await _check(signed_by_stranger(payload, kid=header["kid"]), settings, clock)
    garbage = await _check("not a credential", settings, clock)
    nested = await _check(
        with_payload(token, {}).replace(".e30.", "." + b64(b"[" * 5000) + "."), settings, clock
    )

    assert (other_kid.failed, other_alg.failed, garbage.failed) == (Check.KEY, Check.FORMAT, Check.FORMAT)
    assert nested.failed is Check.FORMAT
    assert (stranger.valid, stranger.failed, stranger.passed) == _failed(Check.ISSUER)
    assert (stranger_as_us.failed, stranger_with_our_kid.failed) == (Check.KEY, Check.SIGNATURE)


async def test_dates_outside_the_credential_validity_fail_their_check(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    config = credentials_config(settings)
    certificate = await issue(world, "Ana Completer", settings, clock)
    _, payload, _ = parts(await jwt_of(certificate, settings))
    tomorrow = (clock.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    yesterday = (clock.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")

    early = await _check(signed_by_us({**payload, "validFrom": tomorrow}, config), settings, clock)
    late = await _check(signed_by_us({**payload, "validUntil": yesterday}, config), settings, clock)
    not_ours = await _check(
        signed_by_us({**payload, "type": ["VerifiableCredential"]}, config), settings, clock
    )

    assert (early.valid, early.failed, early.passed) == _failed(Check.NOT_YET_VALID)
    assert (late.valid, late.failed, late.passed) == _failed(Check.EXPIRED)
    assert (not_ours.valid, not_ours.failed, not_ours.passed) == _failed(Check.CONTENT)


async def test_revoked_and_replaced_certificates_fail_the_status_check(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    revoked = await issue(world, "Ana Completer", settings, clock)
    replaced = await issue(world, "Dov Closed-Completer", settings, clock)
    revoked_token = await jwt_of(revoked, settings)
    replaced_token = await jwt_of(replaced, settings)

    await revoke(gql, world, revoked)
    new = await gql.data(
        REISSUE, {"input": {"id": to_base64("Certificate", replaced.id)}}, as_user=world.admin
    )
    successor = await Certificate.get(code=new["certificateReissue"]["certificate"]["code"])

    assert await _verify(gql, revoked_token) == {
        "valid": False,
        "failedCheck": "STATUS",
        "passedChecks": ALL[:-1],
        "message": "The certificate has been revoked (or voided) and is no longer valid.",
        "state": "REVOKED",
        "code": revoked.code,
    }
    assert (await _verify(gql, replaced_token))["state"] == "REPLACED"
    assert (await _verify(gql, await jwt_of(successor, settings)))["valid"] is True


async def test_verifying_signs_the_list_the_status_address_serves_once_and_sees_a_revocation_at_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    # given a credential verified once, and its status list fetched
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)
    list_number, _ = status_position(certificate)
    lists = shared_status_lists(credentials_config(settings))
    first = await _verify(gql, token)
    served = await http.get(f"/credentials/status/{list_number}")
    again = await _verify(gql, token)
    unchanged = await http.get(
        f"/credentials/status/{list_number}", headers={"If-None-Match": served.headers["etag"]}
    )
    builds_before = lists.builds

    # when it is revoked, and verified right after the revocation commits
    await revoke(gql, world, certificate)
    revoked = await _verify(gql, token)
    served_after = await http.get(
        f"/credentials/status/{list_number}", headers={"If-None-Match": served.headers["etag"]}
    )

    # then both readers shared one signed list until the revocation, and both see it at once
    assert (first["state"], again["state"], unchanged.status_code, builds_before) == (
        "VALID",
        "VALID",
        304,
        1,
    )
    assert (revoked["failedCheck"], revoked["state"]) == ("STATUS", "REVOKED")
    assert served_after.status_code == 200 and served_after.headers["etag"] != served.headers["etag"]
    assert lists.builds == 2


async def test_verifications_running_while_a_credential_is_revoked_read_it_revoked_once_committed(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    # given a credential whose status list is already signed and kept
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)
    assert (await _verify(gql, token))["state"] == "VALID"

    # when it is revoked while verifications of it run
    answers = await asyncio.gather(
        *[_verify(gql, token) for _ in range(4)],
        revoke(gql, world, certificate),
        *[_verify(gql, token) for _ in range(4)],
    )
    after = await _verify(gql, token)

    # then each read the status before or after the revocation, and every one after it reads revoked
    assert answers[4] == {"certificate": {"status": "REVOKED"}, "errors": []}
    assert {answer["state"] for answer in answers[:4] + answers[5:]} <= {"VALID", "REVOKED"}
    assert (after["failedCheck"], after["state"]) == ("STATUS", "REVOKED")


async def test_a_provisional_certificate_is_suspended_until_it_settles_valid(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    certificate = await issue(world, "Hal Online-Approaching", settings, clock)
    issued = await credential(certificate, settings)
    pending = await _verify(gql, issued.jwt)

    await Enrollment.filter(id=world.enrollments["Hal Online-Approaching"].id).update(
        completed_at=clock.now(), modules_completed=25, certified=True
    )
    settled = await settle_provisional_certificates(now=clock.now())
    await certificate.refresh_from_db()

    assert certificate.status is CertificateStatus.VALID and settled.validated == [certificate.id]
    assert (pending["failedCheck"], pending["state"]) == ("STATUS", "SUSPENDED")
    assert "awardedDate" not in issued.document and issued.linkedin_url is None
    assert (await _verify(gql, issued.jwt))["valid"] is True


async def test_a_provisional_certificate_voided_when_its_course_closes_reads_revoked(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    certificate = await issue(world, "Cai Approaching", settings, clock)
    token = await jwt_of(certificate, settings)

    await Cohort.filter(id=world.open_cohort.id).update(closed_at=clock.now())
    settled = await settle_provisional_certificates(now=clock.now())

    assert settled.voided == [certificate.id]
    assert await _verify(gql, token) == {
        "valid": False,
        "failedCheck": "STATUS",
        "passedChecks": ALL[:-1],
        "message": "The certificate has been revoked (or voided) and is no longer valid.",
        "state": "REVOKED",
        "code": certificate.code,
    }


async def test_after_a_key_rotation_old_credentials_verify_until_their_key_is_withdrawn(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    config = credentials_config(settings)
    certificate = await issue(world, "Ana Completer", settings, clock)
    before = await jwt_of(certificate, settings)
    old_kid, new_kid = rotate_keys(config.keys_dir)
    after = await jwt_of(certificate, settings)

    still = await _check(before, settings, clock)
    fresh = await _check(after, settings, clock)
    (config.keys_dir / RETIRED_DIR / f"{old_kid}.pem").unlink()
    withdrawn = await _check(before, settings, clock)

    assert (parts(before)[0]["kid"], parts(after)[0]["kid"]) == (old_kid, new_kid) and old_kid != new_kid
    assert (still.valid, fresh.valid) == (True, True)
    assert (withdrawn.valid, withdrawn.failed) == (False, Check.KEY)


async def test_verifying_credentials_is_limited_per_address(gql: GraphQLClient, settings: Settings) -> None:
    answers = [await gql.post(VERIFY, {"credential": "x"}) for _ in range(settings.verify_per_minute + 1)]

    assert [a["data"]["verifyCredential"]["failedCheck"] for a in answers[:-1]] == ["FORMAT"] * 30
    assert answers[-1]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_credential_longer_than_other_texts_may_be_is_taken_as_a_variable(
    gql: GraphQLClient, settings: Settings
) -> None:
    long = "x" * (settings.max_text_characters + 1)

    as_credential = await gql.post(VERIFY, {"credential": long})
    elsewhere = await gql.post("query($c: String!) { verifyCertificate(code: $c) { outcome } }", {"c": long})

    assert as_credential["data"]["verifyCredential"]["failedCheck"] == "FORMAT"
    assert elsewhere["errors"][0]["extensions"]["code"] == "INPUT_TOO_LONG"


@pytest.mark.parametrize(
    ("time_zone", "printed", "awarded"),
    [
        ("America/Los_Angeles", "2026-08-19", "2026-08-19T00:00:00-07:00"),
        ("Asia/Kolkata", "2026-08-20", "2026-08-20T00:00:00+05:30"),
        ("UTC", "2026-08-20", "2026-08-20T00:00:00Z"),
    ],
)
async def test_the_credential_dates_the_award_on_the_day_the_paper_prints_where_it_was_reckoned(
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
    time_zone: str,
    printed: str,
    awarded: str,
) -> None:
    # given Riverside reckons its dates in this zone (Ana completed late on 19 August in Chicago)
    await Partner.filter(id=world.partner.id).update(time_zone=time_zone)
    certificate = await issue(world, "Ana Completer", settings, clock)

    document = (await credential(certificate, settings)).document

    assert certificate.printed["awarded_on"] == printed
    assert (document["awardedDate"], document["credentialSubject"]["activityEndDate"]) == (awarded, awarded)
