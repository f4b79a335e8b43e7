"""How long an adversarial GraphQL document can hold the server's event loop.

    .venv/bin/python bench/document_limits.py [--largest-only]

Starts `portal serve` (one uvicorn process, the embedded mode, a throwaway data folder), then
sends, without a token, every family of tests/support/adversarial.py at every size that fits under
the request body limit, one at a time, while another connection asks for /healthz every 2 ms. The
longest /healthz answer during a document is how long the event loop was held (plus the network's
own fraction of a millisecond). Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.adversarial import documents  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PORTAL = Path(sys.executable).parent / "portal"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def server(folder: Path) -> Iterator[str]:
    port = free_port()
    environment = {**os.environ, "PORTAL_DATA_DIR": str(folder), "PORTAL_LOG_LEVEL": "WARNING"}
    subprocess.run([PORTAL, "migrate"], env=environment, check=True, capture_output=True)
    process = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


async def held(url: str, query: str) -> dict[str, Any]:
    """One document sent while /healthz is asked for again and again on another connection."""
    longest = 0.0
    done = asyncio.Event()

    async def watch(client: httpx.AsyncClient) -> None:
        nonlocal longest
        while not done.is_set():
            started = time.perf_counter()
            await client.get(f"{url}/healthz")
            longest = max(longest, time.perf_counter() - started)
            await asyncio.sleep(0.002)

    async with httpx.AsyncClient(timeout=120) as watcher, httpx.AsyncClient(timeout=120) as sender:
        await watcher.get(f"{url}/healthz")  # connected before the document goes
        watching = asyncio.create_task(watch(watcher))
        await asyncio.sleep(0.01)
        started = time.perf_counter()
        response = await sender.post(f"{url}/graphql", json={"query": query})
        seconds = time.perf_counter() - started
        await asyncio.sleep(0.01)
        done.set()
        await watching
    body = response.json()
    errors = body.get("errors") or [{}]
    code = (errors[0].get("extensions") or {}).get("code") or errors[0].get("message", "")[:40] or "ok"
    return {
        "status": response.status_code,
        "answer": code,
        "request_ms": round(seconds * 1000, 1),
        "longest_healthz_ms": round(longest * 1000, 1),
    }


async def run(largest_only: bool) -> list[dict[str, Any]]:
    chosen: dict[str, tuple[int, str]] = {}
    every: list[tuple[str, int, str]] = []
    for family, size, query in documents():
        chosen[family] = (size, query)
        every.append((family, size, query))
    cases = [(family, *chosen[family]) for family in chosen] if largest_only else every
    # The noise floor of this machine: the same watch while a trivial document goes.
    cases = [("baseline", 1, "{ __typename }")] * 5 + cases
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder, server(Path(folder)) as url:
        for family, size, query in cases:
            row = {"family": family, "size": size, "bytes": len(query.encode()), **await held(url, query)}
            rows.append(row)
            print(
                f"{family:28} {size:>7} {row['bytes']:>8} B  {row['status']} {row['answer']:<28} "
                f"request {row['request_ms']:>7} ms  longest /healthz {row['longest_healthz_ms']:>6} ms",
                flush=True,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--largest-only", action="store_true")
    rows = asyncio.run(run(parser.parse_args().largest_only))
    worst = max(rows, key=lambda row: row["longest_healthz_ms"])
    floor = max(row["longest_healthz_ms"] for row in rows if row["family"] == "baseline")
    held = sorted(row["longest_healthz_ms"] for row in rows)
    print(
        f"\nlongest /healthz answer: {worst['longest_healthz_ms']} ms ({worst['family']}, {worst['size']}); "
        f"median {held[len(held) // 2]} ms; with a trivial document {floor} ms"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "document_limits.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "longest_healthz_ms": worst["longest_healthz_ms"],
                "median_healthz_ms": held[len(held) // 2],
                "trivial_document_healthz_ms": floor,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
