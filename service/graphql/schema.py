"""The schema: every domain's queries, mutations and subscriptions merged into one."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.types.execution import PreExecutionError

from service.graphql.audit.queries import AuditQueries
from service.graphql.certificate_files.mutations import CertificateFileMutations
from service.graphql.certificate_files.subscriptions import CertificateFileSubscriptions
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.certificate_templates.mutations import CertificateTemplateMutations
from service.graphql.certificate_templates.queries import CertificateTemplateQueries
from service.graphql.certificates.mutations import CertificateMutations
from service.graphql.certificates.queries import CertificateQueries
from service.graphql.certificates.types import Certificate
from service.graphql.cohorts.queries import CohortQueries
from service.graphql.cohorts.types import CertificateType, Cohort, Program
from service.graphql.core.context import Info
from service.graphql.core.direct_resolvers import use_direct_resolvers
from service.graphql.core.extensions.documents import DocumentGate, admitted
from service.graphql.core.extensions.masking import ClientErrors
from service.graphql.core.extensions.observability import OperationObservability
from service.graphql.core.input_errors import InputErrorCodes
from service.graphql.core.node import LoadedNode
from service.graphql.core.plain_execution import PlainExecutionContext
from service.graphql.credentials.limits import text_refusal
from service.graphql.credentials.queries import CredentialQueries
from service.graphql.lms.mutations import LmsMutations
from service.graphql.lms.queries import LmsQueries
from service.graphql.lms.types import ProgressSyncRun
from service.graphql.partners.queries import PartnerQueries
from service.graphql.partners.types import Partner
from service.graphql.recognitions.mutations import RecognitionMutations
from service.graphql.recognitions.queries import RecognitionQueries
from service.graphql.recognitions.subscriptions import RecognitionSubscriptions
from service.graphql.recognitions.types import Ceremony, CertificateRequest
from service.graphql.users.queries import UserQueries
from service.graphql.users.types import User


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when there is none you may see.")
    async def node(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="A global id.")]
    ) -> relay.Node | None:
        await info.context.actor()
        definition = info.schema.get_type_by_name(id.type_name)
        origin = getattr(definition, "origin", None)
        if not (isinstance(origin, type) and issubclass(origin, LoadedNode)):
            # An id of a type that does not exist, or of no concrete one ("Node:1"), names nothing,
            # like a missing id.
            return None
        return await id.resolve_node(info, required=False)


def merged(name: str, parts: tuple[type, ...], description: str) -> type:
    """One root type of every domain's fields (Strawberry's ``merge_types``, with a description)."""
    return strawberry.type(type(name, parts, {}), description=description)


Query = merged(
    "Query",
    (
        UserQueries,
        NodeQueries,
        PartnerQueries,
        CohortQueries,
        RecognitionQueries,
        CertificateQueries,
        CredentialQueries,
        CertificateTemplateQueries,
        LmsQueries,
        AuditQueries,
    ),
    "Reads. Every field but `verifyCertificate` and `verifyCredential` needs a signed-in user.",
)
Subscription = merged(
    "Subscription",
    (CertificateFileSubscriptions, RecognitionSubscriptions),
    "Live changes over a WebSocket (graphql-transport-ws, or the legacy graphql-ws); sign in with "
    '{"authorization": "Bearer …"} in the connection_init payload.',
)
Mutation = merged(
    "Mutation",
    (
        RecognitionMutations,
        CertificateMutations,
        CertificateFileMutations,
        CertificateTemplateMutations,
        LmsMutations,
    ),
    "Changes. Each takes one `input` and answers a payload: the object, and `errors` (every refusal, "
    "with nothing changed).",
)


class Schema(strawberry.Schema):
    async def _prepare_operation_async(
        self, context: ExecutionContext, extensions_runner: SchemaExtensionsRunner
    ) -> PreExecutionError | None:
        """Each document parsed and measured once, off the event loop, and refused before anything
        else looks at it when it is over a limit (see DocumentGate)."""
        settings = getattr(context.context, "settings", None)
        if context.query and context.graphql_document is None and settings is not None:
            found = await admitted(context.query, settings)
            if found.errors:
                context.pre_execution_errors = found.errors
                return PreExecutionError(data=None, errors=found.errors)
            context.graphql_document = found.document
            refused = text_refusal(found.document, context.variables, settings.max_text_characters)
            if refused is not None:
                context.pre_execution_errors = [refused]
                return PreExecutionError(data=None, errors=[refused])
        return await super()._prepare_operation_async(context, extensions_runner)

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Expected errors are answers, not incidents; ClientErrors logs the unexpected ones."""


def build_schema(*, direct_resolvers: bool = True, plain_execution: bool = True) -> Schema:
    """The schema; ``direct_resolvers``: plain fields skip Strawberry's per-field wrapper (see
    ``direct_resolvers.py``), ``plain_execution``: a query's plain object values skip graphql-core's
    per-field machinery (see ``plain_execution.py``); both off only to compare with them on."""
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Partner,
            User,
            Program,
            Cohort,
            CertificateType,
            Ceremony,
            CertificateRequest,
            Certificate,
            CertificateFileJob,
            ProgressSyncRun,
        ],
        # Dashboards send the same few documents again and again: DocumentGate parses and validates
        # each once (its caches are shared, at module level).
        extensions=[OperationObservability, DocumentGate, ClientErrors, InputErrorCodes],
        execution_context_class=PlainExecutionContext if plain_execution else None,
    )
    if direct_resolvers:
        use_direct_resolvers(built)
    return built


schema = build_schema()


def printed_schema() -> str:
    """The SDL committed as ``schema.graphql``."""
    return schema.as_str() + "\n"
