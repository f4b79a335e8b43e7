"""Authorisation, proven for every root field of the schema: each query, mutation and subscription
runs as anonymous, partner A's admin, partner B's admin and staff against partner A's data, and the
outcome must be the one this table says. A field added to the schema without a row here fails.

Outcomes: OK (answered with partner A's data), EMPTY (a list with none of A's data), NULL (no object,
as for a missing id), NOT_FOUND / FORBIDDEN (a payload error or, for queries and subscriptions, a
GraphQL error with that code), UNAUTHENTICATED (a GraphQL error; for a WebSocket, the 4403 close),
and OTHERS_ONLY for a subscription that hears the subscriber's own partner but never partner A.
A refused mutation must also leave every table as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from tortoise import Tortoise
from websockets.exceptions import ConnectionClosed

from service.app import create_app
from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_templates.rules import DesignInput
from service.certificate_templates.services import create_template
from service.certificates import services as certificates
from service.certificates.models import Certificate
from service.credentials.config import credentials_config
from service.credentials.issuing import credential_for
from service.events import announce
from service.graphql.schema import schema
from service.lms.models import ProgressSyncRun, SyncTrigger
from service.partners.models import Partner
from service.recognitions.models import Recognition, RecognitionKind
from service.settings import Settings
from service.users.actor import Actor
from service.users.models import User
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.images import png
from tests.support.live_server import Subscriber, serving, subscriber
from tests.support.recognition_api import COMPLETE_STEP_2

ROLES = ("anonymous", "partner_a", "partner_b", "staff")
Variables = Callable[["Matrix"], Awaitable[dict[str, Any]]]


@dataclass
class Matrix:
    """Partner A's world, and the API to make more of it as partner A's admin."""

    world: CertificatesWorld
    gql: GraphQLClient
    settings: Settings
    clock: MovableClock

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "partner_a": self.world.admin,
            "partner_b": self.world.other_admin,
            "staff": self.world.staff,
        }[role]

    @property
    def recognition_id(self) -> str:
        return self.world.recognition_id

    def enrollment_id(self, name: str = "Ana Completer") -> str:
        return to_base64("Enrollment", self.world.enrollments[name].id)

    def cohort_ids(self) -> list[str]:
        return [to_base64("Cohort", self.world.open_cohort.id)]

    async def as_admin(self, document: str, field: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = await self.gql.post(document, {"input": payload}, token=token_for(self.world.admin))
        result: dict[str, Any] = body["data"][field]
        assert result["errors"] == [], result
        return result

    async def draft_ceremony(self) -> str:
        created = await self.as_admin(CEREMONY_CREATE, "ceremonyCreate", self.step1())
        ceremony_id: str = created["ceremony"]["id"]
        await self.as_admin(CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, **COMPLETE_STEP_2})
        return ceremony_id

    async def draft_request(self) -> str:
        created = await self.as_admin(REQUEST_CREATE, "certificateRequestCreate", self.step1())
        request_id: str = created["certificateRequest"]["id"]
        return request_id

    def step1(self) -> dict[str, Any]:
        return {"dateRange": {"start": "2026-09-01", "end": "2026-09-30"}, "cohortIds": self.cohort_ids()}

    async def certificate(self) -> tuple[str, str]:
        certificate = await certificates.issue_certificate(
            actor=Actor(
                user_id=self.world.admin.id, role=self.world.admin.role, partner_id=self.world.partner.id
            ),
            recognition_id=self.world.recognition.id,
            enrollment_id=self.world.enrollments["Ana Completer"].id,
            now=self.clock.now(),
            files_dir=self.settings.resolved_files_dir,
            public_url=self.settings.public_url,
        )
        return to_base64("Certificate", certificate.id), certificate.code

    async def file_job(self) -> str:
        """A finished combined file of partner A (its bytes are never read here)."""
        job = await CertificateFileJob.create(
            partner_id=self.world.partner.id,
            recognition_id=self.world.recognition.id,
            requested_by_id=self.world.admin.id,
            enrollment_ids=[self.world.enrollments["Ana Completer"].id],
            selection_key="matrix",
            status=FileJobStatus.READY,
            total=1,
            done=1,
            created_at=self.clock.now(),
            finished_at=self.clock.now(),
            file_name="matrix.pdf",
            file_size=1,
            page_count=1,
            file_sha256="0" * 64,
        )
        return to_base64("CertificateFileJob", job.id)

    async def scheduled_ceremony(self) -> str:
        ceremony_id = await self.draft_ceremony()
        await self.as_admin(CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id})
        return ceremony_id


CEREMONY_CREATE = """mutation($input: CeremonyCreateInput!) {
  ceremonyCreate(input: $input) { ceremony { id name } errors { field code } } }"""
CEREMONY_UPDATE = """mutation($input: CeremonyUpdateInput!) {
  ceremonyUpdate(input: $input) { ceremony { id name } errors { field code } } }"""
CEREMONY_SUBMIT = """mutation($input: CeremonySubmitInput!) {
  ceremonySubmit(input: $input) { ceremony { id name } errors { field code } } }"""
REQUEST_CREATE = """mutation($input: CertificateRequestCreateInput!) {
  certificateRequestCreate(input: $input) { certificateRequest { id name } errors { field code } } }"""


async def no_variables(_: Matrix) -> dict[str, Any]:
    return {}


def inputs(make: Callable[[Matrix], Awaitable[dict[str, Any]]]) -> Variables:
    async def variables(matrix: Matrix) -> dict[str, Any]:
        return {"input": await make(matrix)}

    return variables


@dataclass(frozen=True)
class Row:
    document: str
    variables: Variables
    outcomes: tuple[str, str, str, str]  # anonymous, partner A, partner B, staff
    files: dict[str, tuple[str, bytes, str]] | None = None  # sent as a GraphQL multipart request


def _id_of(make: Callable[[Matrix], Awaitable[str]]) -> Callable[[Matrix], Awaitable[dict[str, Any]]]:
    async def payload(matrix: Matrix) -> dict[str, Any]:
        return {"id": await make(matrix)}

    return payload


async def _recognition(matrix: Matrix) -> dict[str, Any]:
    return {"id": matrix.recognition_id}


async def _certificate_id(matrix: Matrix) -> str:
    return (await matrix.certificate())[0]


async def _verification(matrix: Matrix) -> dict[str, Any]:
    return {"code": (await matrix.certificate())[1]}


async def _credential(matrix: Matrix) -> dict[str, Any]:
    certificate = await Certificate.get(code=(await matrix.certificate())[1])
    issued = await credential_for(certificate, credentials_config(matrix.settings))
    assert issued is not None
    return {"credential": issued.jwt}


async def _programs(_: Matrix) -> dict[str, Any]:
    return {"range": {"start": "2026-06-01", "end": "2026-09-30"}}


async def _step1(matrix: Matrix) -> dict[str, Any]:
    return matrix.step1()


async def _update_ceremony(matrix: Matrix) -> dict[str, Any]:
    return {"id": await matrix.draft_ceremony(), "name": "Renamed"}


async def _update_request(matrix: Matrix) -> dict[str, Any]:
    return {"id": await matrix.draft_request(), "name": "Renamed"}


async def _revoke(matrix: Matrix) -> dict[str, Any]:
    return {"id": await _certificate_id(matrix), "reason": "Issued in error"}


async def _candidate(matrix: Matrix) -> dict[str, Any]:
    return {"recognitionId": matrix.recognition_id, "enrollmentId": matrix.enrollment_id()}


async def _selection(matrix: Matrix) -> dict[str, Any]:
    return {"recognitionId": matrix.recognition_id, "enrollmentIds": [matrix.enrollment_id()]}


async def _regenerate(matrix: Matrix) -> dict[str, Any]:
    await matrix.file_job()
    return {"recognitionId": matrix.recognition_id}


async def _job(matrix: Matrix) -> dict[str, Any]:
    return {"id": await matrix.file_job()}


async def _sync_start(matrix: Matrix) -> dict[str, Any]:
    return {"partnerId": to_base64("Partner", matrix.world.partner.id)}


async def _sync_run(matrix: Matrix) -> dict[str, Any]:
    await ProgressSyncRun.create(
        partner_id=matrix.world.partner.id, trigger=SyncTrigger.COMMAND, created_at=matrix.clock.now()
    )
    return {}


async def _audit_entry(matrix: Matrix) -> dict[str, Any]:
    await audit.record(
        action=AuditAction.CERTIFICATE_REVOKED,
        now=matrix.clock.now(),
        actor_id=matrix.world.staff.id,
        partner_id=matrix.world.partner.id,
        subject="Certificate:1",
    )
    return {}


async def _template_id(matrix: Matrix) -> str:
    """A template of partner A in the default design (so its admin may edit its wording)."""
    template = await create_template(
        actor=Actor(user_id=matrix.world.staff.id, role=matrix.world.staff.role, partner_id=None),
        partner_id=matrix.world.partner.id,
        certificate_type_id=None,
        name="Riverside",
        design=DesignInput(),
        now=matrix.clock.now(),
    )
    return to_base64("CertificateTemplate", template.id)


async def _templates(matrix: Matrix) -> dict[str, Any]:
    await _template_id(matrix)
    return {}


async def _preview(matrix: Matrix) -> dict[str, Any]:
    return {"templateId": await _template_id(matrix)}


async def _template_create(matrix: Matrix) -> dict[str, Any]:
    return {"partnerId": to_base64("Partner", matrix.world.partner.id), "name": "Riverside", "design": {}}


async def _template_edit(matrix: Matrix) -> dict[str, Any]:
    return {"id": await _template_id(matrix), "design": {"wording": {"presented": "We certify that"}}}


async def _template_assign(matrix: Matrix) -> dict[str, Any]:
    return {"id": await _template_id(matrix), "assigned": True}


async def _image_upload(matrix: Matrix) -> dict[str, Any]:
    return {"partnerId": to_base64("Partner", matrix.world.partner.id), "file": None}


DENIED_TO_OTHERS = ("UNAUTHENTICATED", "OK", "NOT_FOUND", "OK")
STAFF_ONLY = ("UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "OK")

QUERIES: dict[str, Row] = {
    "viewer": Row("{ viewer { email } }", no_variables, ("UNAUTHENTICATED", "OK", "OK", "OK")),
    "partners": Row("{ partners { name } }", no_variables, ("UNAUTHENTICATED", "OK", "OK", "OK")),
    "node": Row(
        "query($id: ID!) { node(id: $id) { id } }", _recognition, ("UNAUTHENTICATED", "OK", "NULL", "OK")
    ),
    "programs": Row(
        "query($range: DateRangeInput!) { programs(cohortsEndingBetween: $range) { name } }",
        _programs,
        ("UNAUTHENTICATED", "OK", "EMPTY", "OK"),
    ),
    "recognitions": Row(
        "{ recognitions { edges { node { name } } } }", no_variables, ("UNAUTHENTICATED", "OK", "EMPTY", "OK")
    ),
    "recognition": Row(
        "query($id: ID!) { recognition(id: $id) { name } }",
        _recognition,
        ("UNAUTHENTICATED", "OK", "NULL", "OK"),
    ),
    # Public on purpose: anyone holding a certificate's code may check it.
    "verifyCertificate": Row(
        "query($code: String!) { verifyCertificate(code: $code) { outcome recipientName } }",
        _verification,
        ("OK", "OK", "OK", "OK"),
    ),
    # Public on purpose too: anyone holding a credential may check it.
    "verifyCredential": Row(
        "query($credential: String!) { verifyCredential(credential: $credential) { valid failedCheck } }",
        _credential,
        ("OK", "OK", "OK", "OK"),
    ),
    "earliestCeremonyDate": Row(
        'query { earliestCeremonyDate(timeZone: "America/Chicago") }',
        no_variables,
        ("UNAUTHENTICATED", "OK", "OK", "OK"),
    ),
    "certificateListing": Row(
        "query($recognitionId: ID!, $enrollmentId: ID) { certificateListing(recognitionId: $recognitionId, "
        "enrollmentId: $enrollmentId) { why } }",
        _candidate,
        DENIED_TO_OTHERS,
    ),
    "progressSyncRuns": Row("{ progressSyncRuns { id } }", _sync_run, STAFF_ONLY),
    "auditEntries": Row("{ auditEntries { edges { node { action } } } }", _audit_entry, STAFF_ONLY),
    "certificateTypes": Row(
        "{ certificateTypes { name } }", no_variables, ("UNAUTHENTICATED", "OK", "OK", "OK")
    ),
    "certificateTemplates": Row(
        "{ certificateTemplates { name design { version } } }",
        _templates,
        ("UNAUTHENTICATED", "OK", "EMPTY", "OK"),
    ),
    "certificateTemplatePreview": Row(
        "query($templateId: ID!) { certificateTemplatePreview(templateId: $templateId) { downloadUrl "
        "errors { code } } }",
        _preview,
        DENIED_TO_OTHERS,
    ),
}


def _mutation(field: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} errors {{ code }} }} }}"


MUTATIONS: dict[str, Row] = {
    "ceremonyCreate": Row(
        _mutation("ceremonyCreate", "CeremonyCreateInput", "ceremony { id }"),
        inputs(_step1),
        DENIED_TO_OTHERS,
    ),
    "ceremonyUpdate": Row(
        _mutation("ceremonyUpdate", "CeremonyUpdateInput", "ceremony { id }"),
        inputs(_update_ceremony),
        DENIED_TO_OTHERS,
    ),
    "ceremonySubmit": Row(
        _mutation("ceremonySubmit", "CeremonySubmitInput", "ceremony { id }"),
        inputs(_id_of(lambda matrix: matrix.draft_ceremony())),
        DENIED_TO_OTHERS,
    ),
    "ceremonyMarkPinsMailed": Row(
        _mutation("ceremonyMarkPinsMailed", "CeremonyMarkPinsMailedInput", "ceremony { id }"),
        inputs(_id_of(lambda matrix: matrix.scheduled_ceremony())),
        ("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "OK"),
    ),
    "ceremonyCancel": Row(
        _mutation("ceremonyCancel", "CeremonyCancelInput", "ceremony { id }"),
        inputs(_id_of(lambda matrix: matrix.scheduled_ceremony())),
        DENIED_TO_OTHERS,
    ),
    "certificateRequestCreate": Row(
        _mutation("certificateRequestCreate", "CertificateRequestCreateInput", "certificateRequest { id }"),
        inputs(_step1),
        DENIED_TO_OTHERS,
    ),
    "certificateRequestUpdate": Row(
        _mutation("certificateRequestUpdate", "CertificateRequestUpdateInput", "certificateRequest { id }"),
        inputs(_update_request),
        DENIED_TO_OTHERS,
    ),
    "certificateRequestFinalize": Row(
        _mutation(
            "certificateRequestFinalize", "CertificateRequestFinalizeInput", "certificateRequest { id }"
        ),
        inputs(_id_of(lambda matrix: matrix.draft_request())),
        DENIED_TO_OTHERS,
    ),
    "recognitionDelete": Row(
        _mutation("recognitionDelete", "RecognitionDeleteInput", "deletedId"),
        inputs(_id_of(lambda matrix: matrix.draft_ceremony())),
        DENIED_TO_OTHERS,
    ),
    "certificateIssue": Row(
        _mutation("certificateIssue", "CertificateIssueInput", "certificate { id }"),
        inputs(_candidate),
        DENIED_TO_OTHERS,
    ),
    "certificateRevoke": Row(
        _mutation("certificateRevoke", "CertificateRevokeInput", "certificate { id }"),
        inputs(_revoke),
        STAFF_ONLY,
    ),
    "certificateReissue": Row(
        _mutation("certificateReissue", "CertificateReissueInput", "certificate { id }"),
        inputs(_id_of(_certificate_id)),
        DENIED_TO_OTHERS,
    ),
    "certificateCandidatesExport": Row(
        _mutation("certificateCandidatesExport", "CertificateCandidatesExportInput", "downloadUrl"),
        inputs(_selection),
        DENIED_TO_OTHERS,
    ),
    "certificateFileRequest": Row(
        _mutation("certificateFileRequest", "CertificateFileRequestInput", "job { id }"),
        inputs(_selection),
        DENIED_TO_OTHERS,
    ),
    "certificateFileRegenerate": Row(
        _mutation("certificateFileRegenerate", "CertificateFileRegenerateInput", "job { id }"),
        inputs(_regenerate),
        DENIED_TO_OTHERS,
    ),
    "certificateImageUpload": Row(
        _mutation("certificateImageUpload", "CertificateImageUploadInput", "image { id }"),
        inputs(_image_upload),
        DENIED_TO_OTHERS,  # a partner's admin uploads the signatures they may set
        files={"input.file": ("logo.png", png(), "image/png")},
    ),
    "certificateTemplateCreate": Row(
        _mutation("certificateTemplateCreate", "CertificateTemplateCreateInput", "template { id }"),
        inputs(_template_create),
        STAFF_ONLY,
    ),
    # A partner's admin may edit their template's wording and signatories (not its logos, colours
    # or assignment: see tests/certificate_templates/test_api.py).
    "certificateTemplateEdit": Row(
        _mutation("certificateTemplateEdit", "CertificateTemplateEditInput", "template { id }"),
        inputs(_template_edit),
        DENIED_TO_OTHERS,
    ),
    "certificateTemplateAssign": Row(
        _mutation("certificateTemplateAssign", "CertificateTemplateAssignInput", "template { id }"),
        inputs(_template_assign),
        STAFF_ONLY,
    ),
    "progressSyncStart": Row(
        _mutation("progressSyncStart", "ProgressSyncStartInput", "run { id }"),
        inputs(_sync_start),
        STAFF_ONLY,
    ),
}

SUBSCRIPTIONS: dict[str, Row] = {
    "certificateFileJobUpdated": Row(
        "subscription($id: ID!) { certificateFileJobUpdated(id: $id) { id status } }", _job, DENIED_TO_OTHERS
    ),
    "recognitionActivity": Row(
        "subscription { recognitionActivity { recognition { id } } }",
        no_variables,
        ("UNAUTHENTICATED", "OK", "OTHERS_ONLY", "OK"),
    ),
}


def _cases(rows: dict[str, Row]) -> list[Any]:
    return [pytest.param(field, role, id=f"{field}-{role}") for field in rows for role in ROLES]


def test_every_root_field_has_a_row() -> None:
    graphql_schema = schema._schema
    in_schema = {
        "query": set(graphql_schema.query_type.fields) if graphql_schema.query_type else set(),
        "mutation": set(graphql_schema.mutation_type.fields) if graphql_schema.mutation_type else set(),
        "subscription": (
            set(graphql_schema.subscription_type.fields) if graphql_schema.subscription_type else set()
        ),
    }

    assert in_schema == {
        "query": set(QUERIES),
        "mutation": set(MUTATIONS),
        "subscription": set(SUBSCRIPTIONS),
    }


async def partner_a_world() -> CertificatesWorld:
    world = await make_certificates_world()
    # A Canvas connection (at a closed port) for the staff-only sync to start on.
    await Partner.filter(id=world.partner.id).update(canvas_base_url="http://127.0.0.1:9")
    return world


async def _tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, to show a refusal changed nothing."""
    return {
        model.__name__: await model.all().order_by(model._meta.pk_attr).values()
        for model in sorted(Tortoise.apps.get_models_iterable(), key=lambda model: model.__name__)
    }


def _outcome(body: dict[str, Any], field: str) -> str:
    errors = body.get("errors") or []
    if errors:
        assert len(errors) == 1 and body.get("data") in (None, {field: None}), body
        return str(errors[0]["extensions"]["code"])
    answer = body["data"][field]
    if answer is None:
        return "NULL"
    if isinstance(answer, list):
        return "OK" if answer else "EMPTY"
    if "edges" in answer:
        return "OK" if answer["edges"] else "EMPTY"
    if "errors" in answer:
        codes = {error["code"] for error in answer["errors"]}
        assert len(codes) <= 1, answer
        return codes.pop() if codes else "OK"
    return "OK"


@pytest.mark.parametrize(("field", "role"), _cases(QUERIES) + _cases(MUTATIONS))
async def test_queries_and_mutations(
    gql: GraphQLClient, settings: Settings, clock: MovableClock, field: str, role: str
) -> None:
    # given
    matrix = Matrix(world=await partner_a_world(), gql=gql, settings=settings, clock=clock)
    is_mutation = field in MUTATIONS
    row = MUTATIONS[field] if is_mutation else QUERIES[field]
    variables = await row.variables(matrix)
    user = matrix.user(role)
    before = await _tables() if is_mutation else None

    # when
    token = None if user is None else token_for(user)
    if row.files is not None:
        body = await matrix.gql.upload(row.document, variables, row.files, token=token)
    else:
        body = await matrix.gql.post(row.document, variables, token=token)

    # then
    outcome = _outcome(body, field)
    assert outcome == row.outcomes[ROLES.index(role)], body
    if is_mutation and outcome != "OK":
        assert await _tables() == before


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


async def _subscription_outcome(server: str, matrix: Matrix, field: str, role: str) -> str:
    row = SUBSCRIPTIONS[field]
    variables = await row.variables(matrix)
    user = matrix.user(role)
    if user is None:
        with pytest.raises(ConnectionClosed) as closed:
            async with subscriber(server, None):
                pass
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        return "UNAUTHENTICATED"
    async with subscriber(server, token_for(user)) as client:
        await client.subscribe("1", row.document, variables)
        if field == "recognitionActivity":
            return await _activity_heard(client, matrix, user)
        message = await client.receive()
    if message["type"] == "error":
        return str(message["payload"][0]["extensions"]["code"])
    assert message["type"] == "next", message
    if message["payload"].get("errors"):
        return str(message["payload"]["errors"][0]["extensions"]["code"])
    return "OK"


async def _activity_heard(client: Subscriber, matrix: Matrix, user: User) -> str:
    """Partner A's recognition changes, then the subscriber's own partner's, round after round. Once
    a round's own change has been heard the subscriber was surely listening for the whole of the
    next round, and events reach it in the order they were published (A's before its own): so
    after that round, A's change has been heard if it ever will be. OK when it was."""
    a_id = matrix.world.recognition.id
    own = (matrix.world.partner.id, a_id) if user.partner_id in (None, matrix.world.partner.id) else None
    own = own or await _own_recognition(matrix, user)
    own_id = matrix.recognition_id if own[1] == a_id else to_base64("CertificateRequest", own[1])
    heard: list[str] = []
    listening = False
    for _ in range(100):
        announce(partner_id=matrix.world.partner.id, recognition_id=a_id)
        announce(partner_id=own[0], recognition_id=own[1])
        this_round: list[str] = []
        with contextlib.suppress(TimeoutError):
            while own_id not in this_round:
                message = await client.receive(seconds=1)
                this_round.append(message["payload"]["data"]["recognitionActivity"]["recognition"]["id"])
        heard += this_round
        if listening and own_id in this_round:
            return "OK" if matrix.recognition_id in heard else "OTHERS_ONLY"
        listening = listening or own_id in this_round
    return "NOTHING"


async def _own_recognition(matrix: Matrix, user: User) -> tuple[int, int]:
    """A certificate request of the subscriber's own partner."""
    assert user.partner_id is not None
    recognition = await Recognition.create(
        partner_id=user.partner_id,
        kind=RecognitionKind.CERTIFICATE_REQUEST,
        name="Own",
        range_start=matrix.world.recognition.range_start,
        range_end=matrix.world.recognition.range_end,
        created_by_id=user.id,
        created_at=matrix.clock.now(),
        updated_at=matrix.clock.now(),
    )
    return user.partner_id, recognition.id


@pytest.mark.parametrize(("field", "role"), _cases(SUBSCRIPTIONS))
async def test_subscriptions(
    server: str, settings: Settings, clock: MovableClock, field: str, role: str
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        world = await partner_a_world()
        matrix = Matrix(world=world, gql=GraphQLClient(http), settings=settings, clock=clock)
        outcome = await _subscription_outcome(server, matrix, field, role)

    assert outcome == SUBSCRIPTIONS[field].outcomes[ROLES.index(role)]
