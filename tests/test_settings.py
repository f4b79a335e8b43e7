"""Settings: embedded defaults, and a signing secret generated once into the data folder."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings


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
        ("PORTAL_DATABASE_URL", "mysql://root@127.0.0.1/portal", "PostgreSQL URL"),
        ("PORTAL_BROKER_URL", "kafka://127.0.0.1:9092", "Redis (redis://host:port/db) or RabbitMQ"),
        ("PORTAL_PUBSUB_URL", "amqp://127.0.0.1:5672/", "must be a Redis URL"),
        (
            "PORTAL_SMTP_URL",
            "garbage",
            "PORTAL_SMTP_URL has the scheme ''; give smtp://[user:password@]host[:port]",
        ),
        ("PORTAL_SMTP_URL", "smtp://127.0.0.1:port", "PORTAL_SMTP_URL is not a URL"),
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
            "'load-balancer' is not an IP address or network",
        ),
        ("PORTAL_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case)"),
        ("PORTAL_LOG_LEVEL", "10", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case)"),
        (
            "PORTAL_ALLOWED_ORIGINS",
            "https://portal.example.edu,notanorigin",
            "'notanorigin' is not an origin: give http(s)://host[:port] with no path, e.g. "
            "https://portal.example.edu (or * for pages anywhere)",
        ),
        ("PORTAL_ALLOWED_ORIGINS", "*,https://portal.example.edu/app", "'https://portal.example.edu/app'"),
        ("PORTAL_ALLOWED_ORIGINS", "*,portal.example.edu:8443", "'portal.example.edu:8443' is not an origin"),
        ("PORTAL_ALLOWED_ORIGINS", "*,ftp://files.example.edu", "'ftp://files.example.edu' is not an origin"),
        ("PORTAL_ALLOWED_ORIGINS", "*,https://ada@portal.example.edu", "is not an origin"),
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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_SECRET_KEY", "x" * 32),
        ("PORTAL_PUBLIC_URL", "https://portal.example.edu:8443"),
        ("PORTAL_DATABASE_URL", "postgres://portal:secret@db.internal:5432/portal"),
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
