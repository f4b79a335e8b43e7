"""certificateFileRequest's and certificateCandidatesExport's input: a selection or a filter, never
both at once."""

from __future__ import annotations

import pytest
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob
from service.certificates.models import CandidateExport
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id } errors { field code message } }
}
"""
EXPORT = """
mutation Export($input: CertificateCandidatesExportInput!) {
  certificateCandidatesExport(input: $input) { downloadUrl errors { field code message } }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def test_a_selection_and_a_filter_together_are_refused(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a selection of one and a filter that matches someone else
    selection = [to_base64("Enrollment", world.enrollments["Ana Completer"].id)]
    candidate_filter = {"search": "Gus"}

    # when both are given
    body = await gql.post(
        REQUEST,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentIds": selection,
                "filter": candidate_filter,
            }
        },
        token=token_for(world.admin),
    )

    # then neither is silently chosen: a refusal at filter, and no job
    assert body["data"]["certificateFileRequest"] == {
        "job": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "INVALID_VALUE",
                "message": "Give either enrollmentIds (the selected course-takers) or filter (every "
                "course-taker it matches), not both.",
            }
        ],
    }
    assert await CertificateFileJob.all().count() == 0


async def test_an_export_of_a_selection_and_a_filter_together_is_refused(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a selection of one and a filter that matches someone else
    selection = [to_base64("Enrollment", world.enrollments["Ana Completer"].id)]

    # when both are given to the export
    body = await gql.post(
        EXPORT,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentIds": selection,
                "filter": {"search": "Gus"},
            }
        },
        token=token_for(world.admin),
    )

    # then the same refusal, and no export
    assert body["data"]["certificateCandidatesExport"] == {
        "downloadUrl": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "INVALID_VALUE",
                "message": "Give either enrollmentIds (the selected course-takers) or filter (every "
                "course-taker it matches), not both.",
            }
        ],
    }
    assert await CandidateExport.all().count() == 0
