"""Migrations over a database that holds data, from several points of the history to the newest: every
row is kept as it was, every column added is filled as the service fills it, the schema is exactly
the models' (unique constraints and indexes included) and the service reads the data. On SQLite,
and on PostgreSQL when PORTAL_TEST_POSTGRES_URL is set (databases of the test's own)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate as migrate_to

from service.certificates.candidates import CandidateFilter, candidates_page
from service.certificates.rules import CandidateKind
from service.cohorts.models import Cohort
from service.database import migrate, tortoise_config
from service.enrollments.models import CourseTaker
from service.enrollments.rules import name_search_key, name_sort_key
from service.recognitions.dashboard import DashboardFilter, dashboard_page, shown_status
from service.recognitions.models import Recognition
from service.recognitions.rules import Status
from service.users.actor import Actor
from service.users.models import Role
from tests.support.databases import POSTGRES_URL, with_database
from tests.support.raw_databases import Row, raw_database

# Points of the history a database may have been left at, each before NOT NULL columns are added to
# tables with rows: 0005-0008 (file jobs, programs: on SQLite, tables rebuilt under the rows pointing
# at them), 0011-0012 (sync runs; recognitions, whose history and cohorts point at them), 0013 (sort
# names), 0018 (search names, made again by 0021), 0021 (cohorts' LMS course ids unique per partner
# from 0022: on SQLite, the cohort table rebuilt under its enrolments and recognitions) and 0022
# (ceremonies' past_from from 0023, filled on each one's own calendar).
STARTS = [
    "0004_certificate_files",
    "0010_ceremony_date",
    "0012_ceremony_mail_and_cancellation",
    "0017_template_previewed",
    "0021_course_taker_names",
    "0022_course_ids_per_partner",
]

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SYNCED = datetime(2026, 8, 21, 14, 0, tzinfo=UTC)
COMPLETED = datetime(2026, 8, 20, 3, 15, tzinfo=UTC)
NOW = datetime(2026, 9, 19, 22, 0, tzinfo=UTC)
HASH = "9f2c" * 16
QUEUED_SELECTION = "e5" * 32

# Course-takers by id: partner, name (in several scripts), email, locale.
TAKERS = {
    1: (1, "Ángela Müller", "angela.muller@example.org", None),
    2: (1, "Jean-Luc O\u2019Brien", "jl.obrien@example.org", "fr-CA"),
    3: (1, "山田 太郎", "taro.yamada@example.jp", "ja"),
    4: (1, "Σοφία Παπαδοπούλου", "sofia.p@example.gr", "el"),
    5: (1, "Дмитрий Иванов", "d.ivanov@example.ru", "ru"),
    6: (1, "محمد علي", "m.ali@example.eg", "ar"),
    7: (1, "Zoë Þórsdóttir", "zoe.thorsdottir@example.is", "is"),
    # the same person at another partner: the same email, once per partner
    8: (2, "Ángela Müller", "angela.muller@example.org", None),
}


def _table(name: str, columns: str, *rows: tuple[object, ...], **same: object) -> list[Row]:
    """Rows of a table: their own values in the order of ``columns``, and those they share."""
    return [(name, {**dict(zip(columns.split(), row, strict=True)), **same}) for row in rows]


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


RIVERSIDE_CANVAS = ("https://canvas.riverside.example", "RIVERSIDE_CANVAS_TOKEN")
CLOSED = datetime(2026, 8, 30, tzinfo=UTC)
AUTUMN = (date(2026, 3, 2), date(2026, 8, 28))  # a cohort's start and end
CEREMONY = {
    "format": "IN_PERSON",
    "representative_requested": True,
    "contact_name": "Mere Parata",
    "contact_email": "events@riverside.example",
    "contact_phone": "+64 9 555 0100",
    "address_line1": "1 Riverside Drive",
    "address_line2": "Great Hall",
    "address_city": "Auckland",
    "address_region": "Auckland",
    "address_postal_code": "1010",
    "address_country": "NZ",
    "submitted_at": datetime(2026, 8, 22, tzinfo=UTC),
    "finalized_at": None,
}
CEREMONY_COLUMNS = (
    "id partner_id kind name status created_by_id submitted_by_id starts_at time_zone ceremony_date"
)
REQUEST = {
    **dict.fromkeys(CEREMONY),
    **dict.fromkeys(["submitted_by_id", "starts_at", "time_zone", "ceremony_date"]),
    "representative_requested": False,
    "finalized_at": SYNCED,
}


ADMINS = {1: 1, 2: 3}  # each partner's admin, who scheduled its ceremonies
# Scheduled ceremonies (id, partner, name, wall-clock start, zone) in zones far from UTC both ways and
# on days the clocks change; PAST_FROM is what 0023 fills in past_from, the midnight that ends each
# one's day on its own wall clock, as an instant.
CEREMONIES: list[tuple[int, int, str, datetime, str]] = [
    (1, 1, "Autumn pinning ceremony", datetime(2026, 10, 4, 10), "Pacific/Auckland"),
    # 18:00 on the 20th in Honolulu is 04:00 UTC on the 21st: its day ends at 10:00 UTC on the 21st
    (4, 1, "Honolulu evening", datetime(2026, 10, 20, 18), "Pacific/Honolulu"),
    # 09:00 on the 22nd at UTC+14 is 19:00 UTC on the 21st: its day ends at 10:00 UTC on the 22nd
    (5, 1, "Kiritimati morning", datetime(2026, 10, 22, 9), "Pacific/Kiritimati"),
    # 27 September 2026 is 23 hours long in Auckland (02:00 is 03:00): it ends at 11:00 UTC, not 12:00
    (6, 1, "Auckland, clocks forward", datetime(2026, 9, 27, 10), "Pacific/Auckland"),
    # 1 November 2026 is 25 hours long in Toronto (02:00 is 01:00 again): it ends at 05:00 UTC, not 04:00
    (7, 2, "Toronto, clocks back", datetime(2026, 11, 1, 10), "America/Toronto"),
]


def _ceremony_row(key: int, partner: int, name: str, wall_time: datetime, zone: str) -> tuple[object, ...]:
    """A scheduled ceremony's own values (``CEREMONY_COLUMNS``): its start on a wall clock, as stored."""
    starts_at = wall_time.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    admin = ADMINS[partner]
    return (
        key,
        partner,
        "CEREMONY",
        name,
        "SCHEDULED_PENDING",
        admin,
        admin,
        starts_at,
        zone,
        wall_time.date(),
    )


PAST_FROM = {
    1: datetime(2026, 10, 4, 11, tzinfo=UTC),
    4: datetime(2026, 10, 21, 10, tzinfo=UTC),
    5: datetime(2026, 10, 22, 10, tzinfo=UTC),
    6: datetime(2026, 9, 27, 11, tzinfo=UTC),
    7: datetime(2026, 11, 2, 5, tzinfo=UTC),
}
RECOGNITION_SAME = {
    "range_start": date(2026, 8, 1),
    "range_end": date(2026, 8, 31),
    "created_at": AT,
    "updated_at": SYNCED,
    "deleted_at": None,
    "pins_mailed_at": None,
    "calendar_sequence": 0,
    "cancellation_reason": None,
    "cancelled_at": None,
    "meeting_url": None,
}
CERTIFICATE = (
    "id code enrollment_id valid_enrollment_id status replaced_by_id issued_at printed "
    "credential_status_index"
)
CERTIFICATE_SAME = {
    "partner_id": 1,
    "recognition_id": 2,
    "issued_by_id": 1,
    "file_size": 48_213,
    "file_sha256": HASH,
    "revoked_at": None,
    "revoked_reason": None,
    "validated_at": None,
    "voided_at": None,
    "voided_reason": None,
    "template_version_id": 1,
}
READY_FILE = ("certificates.pdf", 96_000, HASH, 2)
NO_FILE = (None, None, None, None)
SIGN_IN_DETAILS = _json({"email": "admin@riverside.example"})
MESSAGE = "Subject: Ceremony scheduled\r\n\r\nYour ceremony is scheduled.\r\n"
JOB = (
    "id enrollment_ids selection_key status total done chunks_done attempts started_at finished_at file_name "
    "file_size file_sha256 page_count active_selection_key"
)
SYNC_RUN = (
    "id partner_id trigger requested_by_id schedule_key status "
    "courses courses_failed enrollments_changed errors"
)

# Every row, with a value for each column its table has at any point of the history (each start takes
# the columns its tables have then), in an order that satisfies the foreign keys.
ROWS: list[Row] = [
    *_table(
        "certificate_type",
        "id code name",
        (1, "CECI", "Certificate in Effective College Instruction"),
        (2, "MICRO-IT", "Micro-credential in Inclusive Teaching"),
    ),
    *_table(
        "partner",
        "id name slug time_zone canvas_base_url canvas_token_variable default_locale",
        (1, "Riverside University", "riverside", "Pacific/Auckland", *RIVERSIDE_CANVAS, "ja"),
        (2, "Lakeside College", "lakeside", "America/Toronto", None, None, None),
        created_at=AT,
    ),
    *_table(
        "portal_user",
        "id email name role partner_id",
        (1, "admin@riverside.example", "Riverside Admin", "PARTNER_ADMIN", 1),
        (2, "staff@certifier.example", "Certifier Staff", "STAFF", None),
        (3, "admin@lakeside.example", "Lakeside Admin", "PARTNER_ADMIN", 2),
        created_at=AT,
    ),
    *_table(
        "program",
        "id partner_id name certificate_type_id certification_percent",
        (1, 1, "Effective Teaching Practices", 1, Decimal(80)),
        (2, 2, "Inclusive Teaching", 2, Decimal(90)),
    ),
    *_table(
        "cohort",
        "id partner_id program_id name starts_on ends_on closed_at lms_course_id",
        (1, 1, 1, "Autumn 2026", *AUTUMN, None, "1001"),
        (2, 2, 2, "Spring 2026", date(2026, 1, 12), date(2026, 8, 14), CLOSED, "2001"),
    ),
    *_table(
        "course_taker",
        "id partner_id name email lms_user_id locale sort_name search_name",
        *(
            (key, partner, name, email, f"{500 + key}", locale, name_sort_key(name), name_search_key(name))
            for key, (partner, name, email, locale) in TAKERS.items()
        ),
    ),
    *_table(
        "enrollment",
        "id course_taker_id cohort_id certificate_type_id modules_completed percent_complete "
        "completed_at certified",
        (1, 1, 1, 1, 10, Decimal(100), COMPLETED, True),
        (2, 2, 1, 1, 10, Decimal(100), COMPLETED, True),
        (3, 3, 1, 1, 6, Decimal(60), None, False),
        (4, 4, 1, 1, 4, Decimal(40), None, False),
        (5, 5, 1, 1, 10, Decimal(100), COMPLETED, False),  # completed, not certified: never listed
        (6, 6, 1, 1, 7, Decimal(70), None, False),
        (7, 7, 1, 1, 10, Decimal(100), COMPLETED, True),
        (8, 8, 2, 2, 10, Decimal(100), COMPLETED, True),
        modules_required=10,
        progress_synced_at=SYNCED,
    ),
    *_table(
        "recognition",
        CEREMONY_COLUMNS,
        *(_ceremony_row(*ceremony) for ceremony in CEREMONIES),
        **CEREMONY,
        **RECOGNITION_SAME,
    ),
    *_table(
        "recognition",
        "id partner_id kind name status created_by_id",
        (2, 1, "CERTIFICATE_REQUEST", "Autumn certificates", "CREATED", 1),
        (3, 2, "CERTIFICATE_REQUEST", "Spring certificates", "CREATED", 3),
        **REQUEST,
        **RECOGNITION_SAME,
    ),
    *_table("recognition_cohort", "id recognition_id cohort_id", (1, 1, 1), (2, 2, 1), (3, 3, 2)),
    *_table(
        "recognition_event",
        "id recognition_id kind actor_id changes",
        (1, 1, "CREATED", 1, _json({"name": "Autumn pinning ceremony"})),
        (2, 1, "SUBMITTED", 1, "{}"),
        (3, 2, "CREATED", 1, _json({"name": "Autumn certificates"})),
        (4, 2, "FINALIZED", 1, "{}"),
        (5, 3, "CREATED", 3, _json({"name": "Spring certificates"})),
        (6, 3, "FINALIZED", 3, "{}"),
        *((6 + key, key, "SUBMITTED", ADMINS[partner], "{}") for key, partner, *_ in CEREMONIES[1:]),
        at=SYNCED,
    ),
    *_table(
        "outbox_message",
        "id key recipient subject message",
        (1, "recognition-1-submitted", "admin@riverside.example", "Ceremony scheduled", MESSAGE),
        sender="portal@certifier.example",
        status="SENT",
        attempts=1,
        last_error=None,
        claimed_until=None,
        created_at=SYNCED,
        sent_at=SYNCED,
        queued_until=None,
    ),
    *_table(
        "candidate_export",
        "id recognition_id requested_by_id created_at enrollment_ids candidate_filter",
        (1, 2, 1, SYNCED, _json([1, 2, 7]), None),
    ),
    *_table(
        "certificate_image",
        "id partner_id format width height sha256 data uploaded_by_id uploaded_at",
        (1, 1, "PNG", 1, 1, HASH, b"\x89PNG\r\n\x1a\n", 1, AT),
    ),
    *_table(
        "certificate_template",
        "id partner_id certificate_type_id name current_version assigned_scope created_at updated_at",
        (1, 1, None, "Riverside", 1, "1:*", AT, AT),
    ),
    *_table(
        "certificate_template_version",
        "id template_id number created_by_id created_at design",
        (1, 1, 1, 1, AT, _json({"title": "Certificate"})),
    ),
    # the second is replaced by the third (a certificate points at its replacement)
    *_table(
        "certificate",
        CERTIFICATE,
        (1, "RV7K2M9QXA", 1, 1, "VALID", None, SYNCED, _json({"name": "Ángela Müller"}), 4711),
        (3, "RV3H8D2LWC", 2, 2, "VALID", None, SYNCED, _json({"name": "Jean-Luc O\u2019Brien"}), 90210),
        (2, "RV5N4P7TGB", 2, None, "REPLACED", 3, AT, _json({"name": "Jean-Luc OBrien"}), 7),
        file_name="certificate.pdf",
        **CERTIFICATE_SAME,
    ),
    *_table(
        "certificate_file_job",
        JOB,
        (1, _json([1, 2]), "c3" * 32, "READY", 2, 2, 1, 1, SYNCED, SYNCED, *READY_FILE, None),
        (2, _json([7]), QUEUED_SELECTION, "QUEUED", 1, 0, 0, 0, None, None, *NO_FILE, QUEUED_SELECTION),
        partner_id=1,
        recognition_id=2,
        requested_by_id=1,
        error_message=None,
        claimed_until=None,
        created_at=SYNCED,
        chunk_count=1,
        handover_after=None,
        join_attempts=0,
    ),
    *_table(
        "certificate_file_chunk",
        "id job_id size attempts done_at",
        (1, 1, 2, 1, SYNCED),
        (2, 2, 1, 0, None),
        position=0,
        start=0,
        claimed_until=None,
        drawn_for=None,
        retry_due=None,
    ),
    *_table(
        "progress_sync_run",
        SYNC_RUN,
        (1, 1, "SCHEDULE", None, "2026-08-21", "SUCCEEDED", 1, 0, 2, "[]"),
        (2, None, "STAFF", 2, None, "PARTLY_FAILED", 2, 1, 0, _json([{"course": "2001", "message": "503"}])),
        created_at=SYNCED,
        started_at=SYNCED,
        finished_at=SYNCED,
        claimed_until=None,
        enrollments_seen=7,
        enrollments_created=0,
        warnings="[]",
        names_changed=0,
    ),
    *_table(
        "audit_entry",
        "id action actor_id partner_id subject address details count aggregate_key",
        (1, "SIGN_IN_FAILED", None, None, "", "203.0.113.7", SIGN_IN_DETAILS, 3, "sign-in:203.0.113.7"),
        (2, "CERTIFICATE_REISSUED", 1, 1, "Certificate:2", "198.51.100.4", "{}", 1, None),
        occurred_at=SYNCED,
        last_occurred_at=SYNCED,
    ),
]
TABLES = {table for table, _ in ROWS}

# What the migrations put in a column they add to rows stored before, by table and column, by id.
# Any other column added must be NULL in every row stored before.
FILLED: dict[tuple[str, str], dict[int, object]] = {
    ("program", "certification_percent"): {1: Decimal(100), 2: Decimal(100)},
    ("certificate_file_job", "chunk_count"): {1: 0, 2: 0},
    ("certificate_file_job", "left_out"): {1: [], 2: []},  # nobody left out of the files made before
    ("certificate_file_job", "join_attempts"): {1: 0, 2: 0},
    ("certificate_file_job", "active_selection_key"): {1: None, 2: QUEUED_SELECTION},
    ("recognition", "ceremony_date"): {
        2: None,
        3: None,
        **{key: start.date() for key, _, _, start, _ in CEREMONIES},
    },
    ("recognition", "calendar_sequence"): {key: 0 for key in range(1, 8)},
    ("recognition", "submitted_by_id"): {
        2: None,
        3: None,
        **{key: ADMINS[partner] for key, partner, *_ in CEREMONIES},
    },
    ("recognition", "past_from"): {2: None, 3: None, **PAST_FROM},
    ("course_taker", "sort_name"): {key: name_sort_key(name) for key, (_, name, _, _) in TAKERS.items()},
    ("course_taker", "search_name"): {key: name_search_key(name) for key, (_, name, _, _) in TAKERS.items()},
    ("progress_sync_run", "warnings"): {1: [], 2: []},
    ("progress_sync_run", "names_changed"): {1: 0, 2: 0},
}
STATUS_LIST_ENTRIES = 131_072  # 0016 gives each certificate a random place in the first list(s)

EmptyDatabase = Callable[[str], Awaitable[str]]


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[EmptyDatabase]:
    """Makes empty databases (their URLs) on the engine the tests run on; dropped afterwards."""
    made: list[str] = []

    async def make(name: str) -> str:
        if not POSTGRES_URL:
            return f"sqlite://{tmp_path / f'{name}.sqlite3'}"
        database = f"portal_test_migrations_{uuid.uuid4().hex[:8]}_{name}"
        await _admin(f'CREATE DATABASE "{database}"')
        made.append(database)
        return with_database(POSTGRES_URL, database)

    yield make
    for database in made:
        await _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.mark.parametrize("start", STARTS)
async def test_a_database_with_data_migrates_to_the_newest_keeping_every_row(
    empty_database: EmptyDatabase, start: str
) -> None:
    # given a database left at an older migration, holding rows in every table it has then
    url = await empty_database("old")
    async with TortoiseContext():
        await migrate_to(config=tortoise_config(url), target=f"models.{start}")
    database = raw_database(url)
    tables = await database.columns()
    before = {table: columns for table, columns in tables.items() if table in TABLES}
    assert set(tables) - set(before) <= {"tortoise_migrations", "sqlite_sequence"}
    await database.insert(
        [
            (table, {column: value for column, value in row.items() if column in before[table]})
            for table, row in ROWS
            if table in before
        ]
    )
    stored = {table: await database.select(table, columns) for table, columns in before.items()}
    assert {table: len(rows) for table, rows in stored.items()} == {
        table: sum(1 for named, _ in ROWS if named == table) for table in before
    }

    # when
    await migrate(url)

    # then every row is kept as it was, in the columns it had
    assert {table: await database.select(table, columns) for table, columns in before.items()} == stored

    # and the schema is exactly the models', indexes and unique constraints included
    assert await database.schema() == await _models_schema(await empty_database("models"))

    after = await database.columns()
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))

        # and each column added to the rows is filled as the service fills it, else NULL
        added = await _added_columns(before, after)
        places = added.pop(("certificate", "credential_status_index"), None)
        assert added == {
            column: FILLED.get(column, dict.fromkeys(values)) for column, values in added.items()
        }
        if places is not None:  # a random place in the status lists each, none shared
            assert sorted(places) == [1, 2, 3]
            assert len(set(places.values())) == 3
            assert all(
                isinstance(place, int) and 0 <= place < STATUS_LIST_ENTRIES for place in places.values()
            )

        # and the service reads them: the certificates page in its order, and searches by name
        assert await _listed(search=None) == [
            "Ángela Müller",
            "Jean-Luc O\u2019Brien",
            "Zoë Þórsdóttir",
            "Σοφία Παπαδοπούλου",
            "محمد علي",
            "山田 太郎",
        ]
        assert await _listed(search="o'brien") == ["Jean-Luc O\u2019Brien"]
        assert await _listed(search="ANGELA muller") == ["Ángela Müller"]
        assert await _listed(search="σοφια") == ["Σοφία Παπαδοπούλου"]

        # and an email is still unique within a partner
        with pytest.raises(IntegrityError):
            await CourseTaker.create(partner_id=1, name="Angela Muller", email="angela.muller@example.org")
        assert await CourseTaker.filter(email="angela.muller@example.org").order_by("id").values_list(
            "id", "partner_id"
        ) == [(1, 1), (8, 2)]

        # and an LMS course id is unique within a partner only: Lakeside's own Canvas has a course 1001 too
        await Cohort.create(
            partner_id=2,
            program_id=2,
            name="Autumn 2026",
            starts_on=AUTUMN[0],
            ends_on=AUTUMN[1],
            lms_course_id="1001",
        )
        with pytest.raises(IntegrityError):
            await Cohort.create(
                partner_id=1,
                program_id=1,
                name="Autumn 2026 B",
                starts_on=AUTUMN[0],
                ends_on=AUTUMN[1],
                lms_course_id="1001",
            )
        assert await Cohort.filter(lms_course_id="1001").order_by("id").values_list("id", "partner_id") == [
            (1, 1),
            (3, 2),
        ]

        # and a ceremony turns PAST when its own day is over, on the dashboard's filter (in SQL) as in its
        # row: Honolulu's, begun at 04:00 UTC, is scheduled until 10:00 UTC, the midnight there
        before_midnight_in_honolulu = datetime(2026, 10, 21, 9, 59, 59, tzinfo=UTC)
        assert await _by_status(before_midnight_in_honolulu) == {
            Status.PAST: ["Auckland, clocks forward", "Autumn pinning ceremony"],
            Status.SCHEDULED_PENDING: ["Honolulu evening", "Kiritimati morning", "Toronto, clocks back"],
        }
        assert await _by_status(datetime(2026, 10, 21, 10, tzinfo=UTC)) == {
            Status.PAST: ["Auckland, clocks forward", "Autumn pinning ceremony", "Honolulu evening"],
            Status.SCHEDULED_PENDING: ["Kiritimati morning", "Toronto, clocks back"],
        }


async def _models_schema(url: str) -> dict[str, object]:
    """The schema the models declare, made straight from them (only as the yardstick)."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        await context.generate_schemas()
    return await raw_database(url).schema()


async def _added_columns(
    before: dict[str, list[str]], after: dict[str, list[str]]
) -> dict[tuple[str, str], dict[int, object]]:
    """Each column the migrations added to a table that had rows, by table and column, read through
    its model: its value by id."""
    models = {model._meta.db_table: model for model in Tortoise.apps["models"].values()}
    added: dict[tuple[str, str], dict[int, object]] = {}
    for table, columns in before.items():
        model = models[table]
        for column in after[table]:
            if column not in columns:
                field = model._meta.fields_db_projection_reverse[column]
                added[(table, column)] = dict(await model.all().order_by("id").values_list("id", field))
    return added


async def _by_status(now: datetime) -> dict[Status, list[str]]:
    """Staff's dashboard filtered to each status ceremonies may show, by name; each row's own status
    is the one it is filtered by."""
    staff = Actor(user_id=2, role=Role.STAFF, partner_id=None)
    named: dict[Status, list[str]] = {}
    for status in (Status.PAST, Status.SCHEDULED_PENDING):
        page = await dashboard_page(
            actor=staff,
            now=now,
            filter=DashboardFilter(statuses=[status]),
            order_by="NAME_ASC",
            first=20,
            after=None,
        )
        rows: list[Recognition] = page.items
        assert {shown_status(row, now) for row in rows} == {status}
        named[status] = [row.name for row in rows]
    return named


async def _listed(*, search: str | None) -> list[str]:
    """The names on the certificates page of Riverside's certificate request, in their order."""
    page, counts = await candidates_page(
        actor=Actor(user_id=1, role=Role.PARTNER_ADMIN, partner_id=1),
        recognition_id=2,
        now=NOW,
        candidate_filter=CandidateFilter(search=search),
        first=20,
        after=None,
    )
    if search is None:
        assert counts == {CandidateKind.COMPLETER: 3, CandidateKind.APPROACHING: 3}
    return [row.course_taker.name for row in page.items]
