"""Han-only names take their regional forms from the course-taker's locale (synced from Canvas), else
from the partner's default locale; names with kana or Hangul say it themselves."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.certificates.models import Certificate
from service.certificates.rules import name_language
from service.enrollments.models import CourseTaker
from service.errors import DomainError, ErrorCode
from service.partners.models import Partner
from service.partners.services import set_default_locale
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code recipientName } errors { field code message } }
}
"""


@pytest.mark.parametrize(
    ("name", "course_taker_locale", "partner_locale", "expected"),
    [
        ("陳大文", "zh-HK", "ja", "zh-HK"),  # the person's own locale first
        ("陳大文", "zh-TW", None, "zh-TW"),
        ("山田太郎", None, "ja", "ja"),  # else the partner's
        ("山田太郎", "en-GB", "ja", "ja"),  # a locale that says nothing of Han forms gives way
        ("王小明", None, None, ""),  # neither: the drawing's default (Simplified Chinese forms)
        ("王小明", "en", None, ""),
        ("やまだ 花子", None, "zh-Hant", ""),  # kana: Japanese by itself, whatever the partner says
        ("김민준", "zh-Hans", None, ""),  # Hangul: Korean by itself
        ("Ana Silva", "pt-BR", "ja", "pt-BR"),  # other scripts: the person's own language forms
        ("Ana Silva", None, "ja", ""),  # the partner's locale is for Han characters only
    ],
)
def test_the_language_a_name_is_printed_in(
    name: str, course_taker_locale: str | None, partner_locale: str | None, expected: str
) -> None:
    assert (
        name_language(name, course_taker_locale=course_taker_locale, partner_locale=partner_locale)
        == expected
    )


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _issued_language(
    gql: GraphQLClient, world: CertificatesWorld, name: str, locale: str | None
) -> str:
    enrollment = await enroll(world.partner, world.open_cohort, name, completed=True, certified=True)
    await CourseTaker.filter(id=enrollment.course_taker_id).update(locale=locale)
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", enrollment.id),
            }
        },
        token=token_for(world.admin),
    )
    result = body["data"]["certificateIssue"]
    assert result["errors"] == [], result
    certificate = await Certificate.get(code=result["certificate"]["code"])
    return str(certificate.printed["language"])


async def test_a_certificate_prints_a_han_only_name_in_the_locale_of_its_person_else_its_partner(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given the partner prints Han-only names in Japanese forms unless the person says otherwise
    await set_default_locale(partner_slug=world.partner.slug, locale="ja")

    # when certificates are issued to people with and without a locale
    languages = [
        await _issued_language(gql, world, "陳大文", "zh-Hant"),
        await _issued_language(gql, world, "山田太郎", None),
        await _issued_language(gql, world, "やまだ 花子", None),
    ]

    # then each records (and prints with) the language the rule gives
    assert languages == ["zh-Hant", "ja", ""]


@pytest.mark.parametrize(("locale", "stored"), [("zh-Hant", "zh-Hant"), (None, None)])
async def test_a_partners_default_locale_is_set_and_cleared(
    app: Starlette, world: CertificatesWorld, locale: str | None, stored: str | None
) -> None:
    await set_default_locale(partner_slug=world.partner.slug, locale=locale)

    assert (await Partner.get(id=world.partner.id)).default_locale == stored


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("Japanese please", "'Japanese please' is not a language tag such as ja, ko, zh-Hans or zh-Hant."),
        (
            "en",
            "'en' would change nothing: the default locale only chooses how names written in Han "
            "characters alone print, so it is Japanese, Korean or Chinese (ja, ko, zh-Hans, zh-Hant, zh-HK).",
        ),
    ],
)
async def test_a_default_locale_that_is_not_a_han_language_tag_is_refused(
    app: Starlette, world: CertificatesWorld, locale: str, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await set_default_locale(partner_slug=world.partner.slug, locale=locale)

    assert [(p.code, p.message) for p in refused.value.problems] == [(ErrorCode.INVALID_LOCALE, message)]
    assert (await Partner.get(id=world.partner.id)).default_locale is None
