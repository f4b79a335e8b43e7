"""Reading the audit log as staff would, for the tests of each audited action."""

from __future__ import annotations

from typing import Any

from service.audit.models import AuditEntry
from service.users.models import User
from tests.support.graphql_client import GraphQLClient

AUDIT_ENTRIES = """
query Audit($first: Int, $after: String, $actions: [AuditAction!], $partnerId: ID) {
  auditEntries(first: $first, after: $after, actions: $actions, partnerId: $partnerId) {
    edges { cursor node {
      action actor { email } partner { name } subject address details count occurredAt lastOccurredAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def audit_rows(gql: GraphQLClient, staff: User, **variables: Any) -> list[tuple[Any, ...]]:
    """(action, actor email, partner name, subject, details, count) of each entry, newest first."""
    data = await gql.data(AUDIT_ENTRIES, variables, as_user=staff)
    return [
        (
            node["action"],
            (node["actor"] or {}).get("email"),
            (node["partner"] or {}).get("name"),
            node["subject"],
            node["details"],
            node["count"],
        )
        for node in (edge["node"] for edge in data["auditEntries"]["edges"])
    ]


async def audit_count() -> int:
    return await AuditEntry.all().count()
