"""Settings: embedded defaults, and a signing secret generated once into the data folder."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.cli.running import settings_problems
from service.settings import Settings

DATABASE_PORT = (
    "must have a port from 1 to 65535 (or none, for 5432), as in postgres://user:password@host:port/name; "
    "a / ? # or @ in the user or password is written %2F %3F %23 %40"
)


def test_defaults_are_the_embedded_mode(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)

    assert settings.resolved_database_url == f"sqlite://{tmp_path / 'portal.sqlite3'}"
    assert settings.resolved_files_dir == tmp_path / "files"
    assert (settings.broker_url, settings.pubsub_url, settings.smtp_url) == ("", "", "")


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgres://localhost/portal")

    settings = Settings(_env_file=None, data_dir=tmp_path)

    assert settings.resolved_database_url == "postgres://localhost/portal"


def test_a_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(_env_file=None, data_dir=tmp_path).signing_secret()
    second = Settings(_env_file=None, data_dir=tmp_path).signing_secret()

    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_a_configured_secret_wins(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="configured-" + "c" * 32)

    assert settings.signing_secret() == "configured-" + "c" * 32
    assert not (tmp_path / "secret.key").exists()


def test_an_empty_variable_unsets_an_optional_setting(monkeypatch: object, tmp_path: Path) -> None:
    for name in ("PORTAL_PROGRESS_SYNC_HOUR", "PORTAL_WORKER_THREADS", "PORTAL_FILES_DIR"):
        monkeypatch.setenv(name, "")  # type: ignore[attr-defined]

    settings = Settings(_env_file=None, data_dir=tmp_path)

    assert (settings.progress_sync_hour, settings.worker_threads, settings.files_dir) == (None, None, None)
    assert (settings.api_worker_threads, settings.resolved_files_dir) == (2, tmp_path / "files")


def test_mailed_links_open_the_example_portal_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default = Settings(_env_file=None, data_dir=tmp_path).mail_config().links
    monkeypatch.setenv("PORTAL_APP_URL", "https://portal.example.edu")
    monkeypatch.setenv("PORTAL_APP_CERTIFICATES_ROUTE", "/recognition/{id}/certificates")
    own = Settings(_env_file=None, data_dir=tmp_path).mail_config().links

    assert (default.recognition("Ceremony", 9), default.certificates("Ceremony", 9)) == (
        "http://127.0.0.1:8000/recognitions/Q2VyZW1vbnk6OQ==",
        "http://127.0.0.1:8000/recognitions/Q2VyZW1vbnk6OQ==/certificates",
    )
    assert (own.recognition("Ceremony", 9), own.certificates("Ceremony", 9)) == (
        "https://portal.example.edu/recognitions/Q2VyZW1vbnk6OQ==",
        "https://portal.example.edu/recognition/Q2VyZW1vbnk6OQ==/certificates",
    )


def test_a_route_template_must_hold_the_id_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_APP_RECOGNITION_ROUTE", "/recognitions")

    with pytest.raises(ValueError, match="holds `\\{id\\}`"):
        Settings(_env_file=None, data_dir=tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORTAL_SECRET_KEY", "short", "at least 32 characters"),
        ("PORTAL_PUBLIC_URL", "not-a-url", "http:// or https:// address with a host"),
        ("PORTAL_APP_URL", "ftp://portal.example.edu", "http:// or https:// address with a host"),
        (
            "PORTAL_APP_URL",
            "https://portal.example.edu/app?tenant=9",
            "must be an http:// or https:// address with a host, e.g. https://portal.example.edu (a path "
            "may follow; no user, query or fragment)",
        ),
        ("PORTAL_APP_URL", "https://portal.example.edu/#/", "(a path may follow; no user, query or"),
        ("PORTAL_PUBLIC_URL", "https://api.example.edu?", "(a path may follow; no user, query or fragment)"),
        ("PORTAL_PUBLIC_URL", "https://ada:pw@api.example.edu", "(a path may follow; no user, query"),
        ("PORTAL_DATABASE_URL", "mysql://root@127.0.0.1/portal", "PostgreSQL URL"),
        ("PORTAL_DATABASE_URL", "postgres://u:pw@127.0.0.1:99999/db", DATABASE_PORT),
        ("PORTAL_DATABASE_URL", "postgres://u:pw@127.0.0.1:abc/db", DATABASE_PORT),
        ("PORTAL_DATABASE_URL", "postgres://u:pw@127.0.0.1:0/db", DATABASE_PORT),
        ("PORTAL_DATABASE_URL", "postgres://u:pa/ss@db.internal/db", DATABASE_PORT),
        (
            "PORTAL_DATABASE_URL",
            "postgres://u:pw@/db",
            "must name the PostgreSQL server's host, as in postgres://user:password@host:port/name "
            "(a socket folder: ?host=/path)",
        ),
        ("PORTAL_DATABASE_URL", "postgresql:///db", "must name the PostgreSQL server's host"),
        (
            "PORTAL_DATABASE_URL",
            "postgres://u:pw@db.internal/db?max_size=many",
            "must have options Tortoise can read after its `?` (numbers where numbers are due), e.g. "
            "postgres://user:password@host:port/name?max_size=10",
        ),
        (
            "PORTAL_DATABASE_URL",
            "sqlite://?journal_mode=WAL",
            "must name the SQLite file: sqlite:///absolute/path.sqlite3 or sqlite://relative/path.sqlite3",
        ),
        ("PORTAL_DATABASE_URL", "sqlite:///?journal_mode=WAL", "must name the SQLite file"),
        ("PORTAL_BROKER_URL", "kafka://127.0.0.1:9092", "Redis (redis://host:port/db) or RabbitMQ"),
        ("PORTAL_PUBSUB_URL", "amqp://127.0.0.1:5672/", "must be a Redis URL"),
        (
            "PORTAL_SMTP_URL",
            "garbage",
            "is not an smtp:// or smtps:// URL; give smtp://[user:password@]host[:port]",
        ),
        ("PORTAL_SMTP_URL", "smtp://127.0.0.1:port", "is not a URL"),
        ("PORTAL_SWEEP_SECONDS", "0", "greater than 0"),
        ("PORTAL_JOB_LEASE_SECONDS", "-1", "greater than 0"),
        ("PORTAL_MAX_QUERY_DEPTH", "0", "greater than 0"),
        ("PORTAL_FILE_JOBS_PER_USER", "-3", "greater than 0"),
        ("PORTAL_PROGRESS_SYNC_HOUR", "24", "less than or equal to 23"),
        ("PORTAL_APP_CERTIFICATES_ROUTE", "recognitions/{id}/certs", "starting with one `/`"),
        ("PORTAL_APP_RECOGNITION_ROUTE", "//elsewhere.example/{id}", "starting with one `/`"),
        ("PORTAL_CERTIFIER_NAME", " ", "cannot be empty"),
        ("PORTAL_PORT", "70000", "less than or equal to 65535"),
        (
            "PORTAL_TRUSTED_PROXIES",
            "10.0.0.0/8,load-balancer",
            "its 2nd address must be an IP address or network, e.g. 10.0.0.7 or 10.0.0.0/8",
        ),
        ("PORTAL_TRUSTED_PROXIES", "load-balancer", "must be an IP address or network, e.g. 10.0.0.7"),
        ("PORTAL_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case)"),
        ("PORTAL_LOG_LEVEL", "10", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case)"),
        (
            "PORTAL_ALLOWED_ORIGINS",
            "https://portal.example.edu,notanorigin",
            "its 2nd origin must be http(s)://host[:port] with no path, e.g. https://portal.example.edu "
            "(or * for pages anywhere)",
        ),
        ("PORTAL_ALLOWED_ORIGINS", "*,https://portal.example.edu/app", "its 2nd origin must be http(s)://"),
        ("PORTAL_ALLOWED_ORIGINS", "*,*,*,portal.example.edu:8443", "its 4th origin must be http(s)://"),
        ("PORTAL_ALLOWED_ORIGINS", "ftp://files.example.edu", "must be http(s)://host[:port] with no path"),
        ("PORTAL_ALLOWED_ORIGINS", "*,https://ada@portal.example.edu", "its 2nd origin must be"),
        (
            "PORTAL_MAIL_FROM",
            "nobody",
            "must be one mail address, alone or after a name: Recognition <recognition@example.edu>",
        ),
        ("PORTAL_MAIL_FROM", "Recognition recognition@example.edu", "must be one mail address"),
        ("PORTAL_MAIL_FROM", "Ada <ada@riverside.example", "must be one mail address"),
        ("PORTAL_MAIL_FROM", "one@example.edu, two@example.edu", "must be one mail address"),
        ("PORTAL_TOKEN_DAYS", "0", "greater than 0"),
        ("PORTAL_TOKEN_DAYS", "366", "less than or equal to 365"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_with_what_it_must_be(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, data_dir=tmp_path)

    assert len(value) < 3 or value not in str(refused.value)  # never repeated (a 0 may be in the words)
    [error] = refused.value.errors()
    assert error["loc"] == (variable.removeprefix("PORTAL_").lower(),)
    assert message in error["msg"]


SECRET = "S3CRETPW"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        # each family of checks, with a value that holds a password or a secret where it may sit
        ("PORTAL_SECRET_KEY", SECRET),
        ("PORTAL_PUBLIC_URL", f"https://ada:{SECRET}@portal.example.edu"),
        ("PORTAL_APP_URL", f"{SECRET}:8000"),
        ("PORTAL_DATABASE_URL", f"mysql://root:{SECRET}@127.0.0.1/portal"),
        ("PORTAL_DATABASE_URL", f"postgres://portal:{SECRET}@127.0.0.1:99999/portal"),
        ("PORTAL_DATABASE_URL", f"postgres://portal:{SECRET}@/portal"),
        ("PORTAL_DATABASE_URL", f"postgres://portal:{SECRET}@db.internal/portal?max_size={SECRET}"),
        ("PORTAL_DATABASE_URL", f"{SECRET}:x@db.internal/portal"),
        ("PORTAL_BROKER_URL", f"kafka://admin:{SECRET}@127.0.0.1:9092"),
        ("PORTAL_PUBSUB_URL", f"amqp://admin:{SECRET}@127.0.0.1:5672/"),
        ("PORTAL_SMTP_URL", f"http://mailer:{SECRET}@smtp.example.edu"),
        ("PORTAL_SMTP_URL", f"{SECRET}:x@smtp.example.edu"),  # the scheme left out: the user is read as one
        ("PORTAL_SMTP_URL", f"smtp://mailer:{SECRET}@smtp.example.edu:99999"),
        ("PORTAL_SMTP_URL", f"smtp://mailer:{SECRET}@:25"),
        ("PORTAL_ALLOWED_ORIGINS", f"https://ada:{SECRET}@portal.example.edu"),
        ("PORTAL_TRUSTED_PROXIES", f"10.0.0.0/8,{SECRET}"),
        ("PORTAL_MAIL_FROM", f"{SECRET} <not an address>"),
        ("PORTAL_LOG_LEVEL", SECRET),
        ("PORTAL_LOG_FORMAT", SECRET),
        ("PORTAL_APP_CERTIFICATES_ROUTE", f"/{SECRET}"),
        ("PORTAL_PORT", SECRET),
        ("PORTAL_SWEEP_SECONDS", SECRET),
        ("PORTAL_GRAPHQL_EXPLORER", SECRET),
        ("PORTAL_WORKER_THREADS", SECRET),
    ],
)
def test_a_refused_setting_is_named_without_its_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str
) -> None:
    # given
    monkeypatch.setenv(variable, value)

    # when
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, data_dir=tmp_path)

    # then what `portal` prints names the setting, and neither it nor the error holds the secret (in
    # any case: a scheme is read in lower case)
    said = settings_problems(refused.value)
    assert said.splitlines()[1].startswith(f"  {variable}: ")
    assert (SECRET.lower() in said.lower(), SECRET.lower() in str(refused.value).lower()) == (False, False)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_SECRET_KEY", "x" * 32),
        ("PORTAL_PUBLIC_URL", "https://portal.example.edu:8443"),
        ("PORTAL_DATABASE_URL", "postgres://portal:secret@db.internal:5432/portal"),
        ("PORTAL_DATABASE_URL", "postgresql://portal@/portal?host=/var/run/postgresql"),
        ("PORTAL_DATABASE_URL", "postgres://portal:se[cr]et@[::1]:5432/portal?max_size=10"),
        ("PORTAL_DATABASE_URL", "sqlite://data/portal.sqlite3"),
        ("PORTAL_APP_URL", "https://portal.example.edu/app"),
        ("PORTAL_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        ("PORTAL_BROKER_URL", "rediss://cache.internal:6380/2"),
        ("PORTAL_SMTP_URL", "smtps://mailer:secret@smtp.example.edu:465"),
        ("PORTAL_SWEEP_SECONDS", "0.5"),
        ("PORTAL_MAIL_FROM", "recognition@example.edu"),
        ("PORTAL_MAIL_FROM", '"Recognition, ACUE" <recognition@example.edu>'),
        ("PORTAL_TOKEN_DAYS", "365"),
        ("PORTAL_LOG_LEVEL", "WARNING"),
    ],
)
def test_working_settings_pass_unchanged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    settings = Settings(_env_file=None, data_dir=tmp_path)

    assert str(getattr(settings, variable.removeprefix("PORTAL_").lower())) == value


def test_a_log_level_is_kept_as_logging_names_it_and_origins_as_browsers_send_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_LOG_LEVEL", "debug")
    monkeypatch.setenv(
        "PORTAL_ALLOWED_ORIGINS", "HTTPS://Portal.Example.edu:443/, http://127.0.0.1:3000, http://[::1]:80, *"
    )

    settings = Settings(_env_file=None, data_dir=tmp_path)

    assert settings.log_level == "DEBUG"
    assert settings.allowed_origins == [
        "https://portal.example.edu",
        "http://127.0.0.1:3000",
        "http://[::1]",
        "*",
    ]
