"""GraphQL documents and set-up shared by the recognition tests, as a front end would send them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from strawberry.relay import to_base64

from service.cohorts.models import Cohort
from service.partners.models import Partner
from service.users.models import User
from tests.support.factories import make_admin, make_cohort, make_partner, make_program, make_staff
from tests.support.graphql_client import GraphQLClient, token_for

FRAGMENT = """
fragment RecognitionFields on Recognition {
  id
  __typename
  name
  kind
  status
  dateRange { start end }
  cohorts { name }
  availableActions
  events { kind changes actor { email } }
  ... on Ceremony {
    startsAt timeZone format representativeRequested
    mailingContact { name email phone }
    postalAddress { line1 line2 city region postalCode country }
    submittedAt pinsMailedAt
  }
  ... on CertificateRequest { finalizedAt }
}
"""
RECOGNITION_FIELDS = "...RecognitionFields"
ERRORS = "errors { field code message }"

CEREMONY_CREATE = (
    f"""
mutation Create($input: CeremonyCreateInput!) {{
  ceremonyCreate(input: $input) {{ ceremony {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
CEREMONY_UPDATE = (
    f"""
mutation Update($input: CeremonyUpdateInput!) {{
  ceremonyUpdate(input: $input) {{ ceremony {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
CEREMONY_SUBMIT = (
    f"""
mutation Submit($input: CeremonySubmitInput!) {{
  ceremonySubmit(input: $input) {{ ceremony {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
CEREMONY_MARK_PINS_MAILED = (
    f"""
mutation PinsMailed($input: CeremonyMarkPinsMailedInput!) {{
  ceremonyMarkPinsMailed(input: $input) {{ ceremony {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
CEREMONY_CANCEL = (
    f"""
mutation Cancel($input: CeremonyCancelInput!) {{
  ceremonyCancel(input: $input) {{
    ceremony {{ {RECOGNITION_FIELDS} statusLabel ... on Ceremony {{ cancelledAt cancellationReason }} }}
    errors {{ field code message }}
  }}
}}
"""
    + FRAGMENT
)
REQUEST_CREATE = (
    f"""
mutation Create($input: CertificateRequestCreateInput!) {{
  certificateRequestCreate(input: $input) {{ certificateRequest {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
REQUEST_UPDATE = (
    f"""
mutation Update($input: CertificateRequestUpdateInput!) {{
  certificateRequestUpdate(input: $input) {{ certificateRequest {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
REQUEST_FINALIZE = (
    f"""
mutation Finalize($input: CertificateRequestFinalizeInput!) {{
  certificateRequestFinalize(input: $input) {{ certificateRequest {{ {RECOGNITION_FIELDS} }} {ERRORS} }}
}}
"""
    + FRAGMENT
)
RECOGNITION_DELETE = f"""
mutation Delete($input: RecognitionDeleteInput!) {{
  recognitionDelete(input: $input) {{ deletedId {ERRORS} }}
}}
"""
DASHBOARD = (
    f"""
query Dashboard($first: Int, $after: String, $filter: RecognitionFilter, $orderBy: RecognitionOrder) {{
  recognitions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    edges {{ cursor node {{ {RECOGNITION_FIELDS} }} }}
  }}
}}
"""
    + FRAGMENT
)

COMPLETE_STEP_2: dict[str, Any] = {
    "start": {"dateTime": "2026-10-04T10:00:00", "timeZone": "Pacific/Auckland"},
    "format": "IN_PERSON",
    "representativeRequested": True,
    "mailingContact": {
        "name": "Aroha Ngata",
        "email": "aroha.ngata@riverside.example",
        "phone": "+64 9 123 4567",
    },
    "postalAddress": {
        "line1": "12 Princes Street",
        "line2": "Level 3",
        "city": "Auckland",
        "region": "Auckland",
        "postalCode": "1010",
        "country": "nz",
    },
}


@dataclass
class World:
    """Two partners with cohorts, their admins and a staff user."""

    riverside: Partner
    lakeshore: Partner
    admin: User
    other_admin: User
    staff: User
    spring: Cohort
    summer: Cohort
    autumn: Cohort
    lakeshore_cohort: Cohort

    def cohort_ids(self, *cohorts: Cohort) -> list[str]:
        return [to_base64("Cohort", cohort.id) for cohort in cohorts]


async def make_world() -> World:
    riverside = await make_partner("Riverside", time_zone="Pacific/Auckland")
    lakeshore = await make_partner("Lakeshore")
    teaching = await make_program(riverside, "Effective Teaching Practices")
    belonging = await make_program(lakeshore, "Belonging")
    return World(
        riverside=riverside,
        lakeshore=lakeshore,
        admin=await make_admin(riverside),
        other_admin=await make_admin(lakeshore),
        staff=await make_staff(),
        spring=await make_cohort(teaching, ends_on=date(2026, 5, 31), name="Spring"),
        summer=await make_cohort(teaching, ends_on=date(2026, 8, 15), name="Summer"),
        autumn=await make_cohort(teaching, ends_on=date(2026, 11, 30), name="Autumn"),
        lakeshore_cohort=await make_cohort(belonging, ends_on=date(2026, 6, 1), name="Lakeshore spring"),
    )


def step1(world: World, *cohorts: Cohort, name: str | None = None) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "dateRange": {"start": "2026-05-01", "end": "2026-08-31"},
        "cohortIds": world.cohort_ids(*(cohorts or (world.spring, world.summer))),
    }
    if name is not None:
        variables["name"] = name
    return variables


async def call_mutation(
    gql: GraphQLClient, document: str, field: str, payload: dict[str, Any], user: User
) -> dict[str, Any]:
    """The payload of a mutation sent as ``user``; the request itself must not fail."""
    body = await gql.post(document, {"input": payload}, token=token_for(user))
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][field]
    return result


async def save_ceremony(gql: GraphQLClient, ceremony_id: str, user: User, **fields: Any) -> dict[str, Any]:
    """ceremonyUpdate's payload: ``fields`` of either step saved as ``user`` (accepted or refused)."""
    return await call_mutation(gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, **fields}, user)


async def draft_ceremony(gql: GraphQLClient, world: World, user: User, **step2: Any) -> str:
    """The id of a draft ``user`` made with both steps complete: ``COMPLETE_STEP_2``, ``step2`` over it."""
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), user)
    ceremony_id: str = created["ceremony"]["id"]
    completed = await save_ceremony(gql, ceremony_id, user, **{**COMPLETE_STEP_2, **step2})
    assert completed["errors"] == []
    return ceremony_id


async def submit_ceremony(
    gql: GraphQLClient, ceremony_id: str, user: User, *, override_reason: str | None = None
) -> dict[str, Any]:
    """ceremonySubmit's payload; with ``override_reason``, staff schedule it sooner than 14 days ahead."""
    override = {"overrideMinimumNotice": True, "overrideReason": override_reason} if override_reason else {}
    return await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id, **override}, user)


async def mark_pins_mailed(gql: GraphQLClient, ceremony_id: str, user: User) -> dict[str, Any]:
    """ceremonyMarkPinsMailed's payload, as ``user`` (staff may)."""
    return await call_mutation(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony_id}, user
    )
