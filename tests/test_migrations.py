"""Migrations: they apply from empty, leave nothing pending, and build exactly what the models say;
and the `tortoise` command that writes them finds its config."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_to
from tortoise.migrations.autodetector import MigrationAutodetector

from service.database import DatabaseNotReady, migrate, tortoise_config
from tests.support.raw_databases import sqlite_schema

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "service" / "migrations"


async def test_migrations_build_the_same_schema_as_the_models(tmp_path: Path) -> None:
    # given one database made by the migrations from empty
    migrated = tmp_path / "migrated.sqlite3"
    await migrate(f"sqlite://{migrated}")

    # and one made straight from the models; generate_schemas is used here only as the yardstick
    generated = tmp_path / "generated.sqlite3"
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(f"sqlite://{generated}"))
        await context.generate_schemas()

    # then
    assert sqlite_schema(migrated) == sqlite_schema(generated)
    assert "enrollment" in sqlite_schema(migrated)


async def test_no_model_change_lacks_a_migration(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'any.sqlite3'}")
    async with TortoiseContext() as context:
        await context.init(config=config)
        assert context.apps is not None
        writers = await MigrationAutodetector(context.apps, config["apps"]).changes()

    assert [writer.name for writer in writers] == []


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    await migrate(f"sqlite://{path}")
    before = sqlite_schema(path)

    await migrate(f"sqlite://{path}")

    assert sqlite_schema(path) == before


async def test_ceremonies_scheduled_before_0010_get_their_local_day(tmp_path: Path) -> None:
    # given a database at 0009 holding a ceremony at 21:00 UTC on 3 October, 10:00 on the 4th in Auckland
    path = tmp_path / "old.sqlite3"
    config = tortoise_config(f"sqlite://{path}")
    async with TortoiseContext():
        await migrate_to(config=config, target="models.0009_audit_log")
    with sqlite3.connect(path) as connection:
        _partner_and_user(connection)
        connection.execute(
            "INSERT INTO recognition (partner_id, created_by_id, kind, name, status, range_start, "
            "range_end, created_at, updated_at, starts_at, time_zone) VALUES (1, 1, 'CEREMONY', 'Spring', "
            "'SCHEDULED_PENDING', '2026-05-01', '2026-08-31', '2026-09-01T00:00:00+00:00', "
            "'2026-09-01T00:00:00+00:00', "
            "'2026-10-03T21:00:00+00:00', 'Pacific/Auckland')"
        )

    # when
    await migrate(f"sqlite://{path}")

    # then
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT ceremony_date FROM recognition").fetchall() == [("2026-10-04",)]


def _partner_and_user(connection: sqlite3.Connection) -> None:
    """The partner and user (both id 1) the rows of an old database point at."""
    connection.execute(
        "INSERT INTO partner (id, name, slug, time_zone, created_at) "
        "VALUES (1, 'Riverside', 'riverside', 'Pacific/Auckland', '2026-01-01T00:00:00+00:00')"
    )
    connection.execute(
        "INSERT INTO portal_user (id, email, name, role, created_at, partner_id) "
        "VALUES (1, 'admin@riverside.example', 'Admin', 'PARTNER_ADMIN', '2026-01-01T00:00:00+00:00', 1)"
    )


async def test_0012_fills_the_submitter_and_the_representative_answer(tmp_path: Path) -> None:
    # given a database at 0010 with a draft that never answered "representative?" and a submitted ceremony
    path = tmp_path / "old.sqlite3"
    config = tortoise_config(f"sqlite://{path}")
    async with TortoiseContext():
        await migrate_to(config=config, target="models.0010_ceremony_date")
    with sqlite3.connect(path) as connection:
        _partner_and_user(connection)
        for recognition_id, status, representative in ((1, "DRAFT", None), (2, "SCHEDULED_PENDING", 1)):
            connection.execute(
                "INSERT INTO recognition (id, partner_id, created_by_id, kind, name, status, range_start, "
                "range_end, created_at, updated_at, representative_requested) VALUES (?, 1, 1, 'CEREMONY', "
                "'Spring', ?, '2026-05-01', '2026-08-31', '2026-09-01T00:00:00+00:00', "
                "'2026-09-01T00:00:00+00:00', ?)",
                (recognition_id, status, representative),
            )
        connection.execute(
            "INSERT INTO recognition_event (recognition_id, kind, actor_id, at, changes) "
            "VALUES (2, 'SUBMITTED', 1, '2026-09-02T00:00:00+00:00', '{}')"
        )

    # when
    await migrate(f"sqlite://{path}")

    # then
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT id, representative_requested, submitted_by_id, calendar_sequence FROM recognition "
            "ORDER BY id"
        ).fetchall()
    assert rows == [(1, 0, None, 0), (2, 1, 1, 0)]


def test_migrations_import_none_of_the_service() -> None:
    """A migration carries its own copy of each enum it needs (as it stood then): importing a live
    model's enum would change an old migration whenever the model changes. `make migrations` writes
    such an import; replace it with a frozen copy."""
    imported = {
        path.name: module
        for path in sorted(MIGRATIONS.glob("[0-9]*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom | ast.Import)
        for module in (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        )
        if module.split(".")[0] == "service"
    }

    assert imported == {}


def _python(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_the_database_module_reads_no_settings() -> None:
    # given settings that cannot be read
    broken = {"PORTAL_JOB_MAX_RETRIES": "many"}

    # then only the `tortoise` command's config reads them
    assert _python("import service.database", **broken).returncode == 0
    assert "ValidationError" in _python("import service.tortoise_command", **broken).stderr


def test_the_tortoise_command_finds_its_config(tmp_path: Path) -> None:
    loaded = _python(
        "from tortoise.cli.utils import get_tortoise_config, tortoise_orm_config\n"
        "print(get_tortoise_config(tortoise_orm_config()).connections['default'].url)",
        PORTAL_DATABASE_URL=f"sqlite://{tmp_path / 'made.sqlite3'}",
    )

    assert (loaded.returncode, loaded.stdout.strip()) == (0, f"sqlite://{tmp_path / 'made.sqlite3'}"), (
        loaded.stderr
    )


@pytest.mark.parametrize("made_before", [False, True], ids=["new", "made-readable-before"])
async def test_the_embedded_database_is_readable_by_its_owner_alone(
    tmp_path: Path, made_before: bool
) -> None:
    path = tmp_path / "data" / "portal.sqlite3"
    path.parent.mkdir()  # migrate makes the file, never its folder
    if made_before:
        path.touch(mode=0o644)

    await migrate(f"sqlite://{path}")

    modes = {file.name: file.stat().st_mode & 0o777 for file in path.parent.glob("portal.sqlite3*")}
    assert modes["portal.sqlite3"] == 0o600
    assert set(modes.values()) == {0o600}


async def test_0021_makes_the_search_names_again_and_counts_no_name_changed_before(tmp_path: Path) -> None:
    # given a database at 0018 holding names whose search keys kept apostrophes and hyphens, and a run
    path = tmp_path / "old.sqlite3"
    config = tortoise_config(f"sqlite://{path}")
    async with TortoiseContext():
        await migrate_to(config=config, target="models.0018_course_taker_search_name")
    with sqlite3.connect(path) as connection:
        _partner_and_user(connection)
        for taker_id, name, key in (
            (1, "Jean-Luc O'Brien", "jean-luc o'brien"),
            (2, "Siân O\u2019Neil", "sian o\u2019neil"),
            (3, "Ana Silva", "ana silva"),
        ):
            connection.execute(
                "INSERT INTO course_taker (id, partner_id, name, sort_name, search_name, email) "
                "VALUES (?, 1, ?, '', ?, ?)",
                (taker_id, name, key, f"learner{taker_id}@riverside.example"),
            )
        connection.execute(
            "INSERT INTO progress_sync_run (trigger, status, created_at, courses, courses_failed, "
            "enrollments_seen, enrollments_changed, enrollments_created, errors, warnings) "
            "VALUES ('COMMAND', 'SUCCEEDED', '2026-09-01T00:00:00+00:00', 1, 0, 3, 0, 3, '[]', '[]')"
        )

    # when
    await migrate(f"sqlite://{path}")

    # then
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT id, search_name FROM course_taker ORDER BY id").fetchall() == [
            (1, "jean luc obrien"),
            (2, "sian oneil"),
            (3, "ana silva"),
        ]
        assert connection.execute("SELECT names_changed FROM progress_sync_run").fetchall() == [(0,)]


async def test_migrating_sqlite_checks_that_every_row_points_at_one_that_exists(tmp_path: Path) -> None:
    # given a database whose course-taker's partner is gone (the service never makes one: foreign keys
    # are enforced, except while migrating, when SQLite's rebuilt tables must not take rows with them)
    path = tmp_path / "old.sqlite3"
    async with TortoiseContext():
        await migrate_to(config=tortoise_config(f"sqlite://{path}"), target="models.0020_chunk_retry_due")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO course_taker (id, partner_id, name, sort_name, search_name, email) "
            "VALUES (1, 7, 'Ana Silva', '', 'ana silva', 'ana@riverside.example')"
        )

    # when
    with pytest.raises(DatabaseNotReady) as refused:
        await migrate(f"sqlite://{path}")

    # then
    assert str(refused.value) == (
        f"The database at {path} has rows pointing at rows that do not exist (in course_taker): "
        "`PRAGMA foreign_key_check` lists them."
    )
