"""Download links name records by number: no path reaches outside the files folder."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/files/certificates/..%2F..%2Fsecret.key.pdf",
        "/files/certificates/../secret.key",
        "/files/certificate-files/%2e%2e%2fportal.sqlite3.pdf",
        "/files/exports/1.csv/../../secret.key",
        "/files/certificates/-1.pdf",
    ],
)
async def test_a_path_that_is_not_a_record_number_is_not_found(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)

    assert response.status_code == 404
    assert b"secret" not in response.content and b"SQLite" not in response.content
