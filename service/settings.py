"""One settings object, read from the environment (prefix ``PORTAL_``) or a ``.env`` file.

The defaults are the embedded mode: everything lives under ``./data`` and nothing needs set-up.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.mail.compose import MailConfig
from service.mail.links import DEFAULT_CERTIFICATES_ROUTE, DEFAULT_RECOGNITION_ROUTE, PortalLinks
from service.mail.smtp_url import smtp_url_problem

SECRET_FILE_NAME = "secret.key"
MIN_SECRET_BYTES = 32
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "asyncpg"}
MAX_TOKEN_DAYS = 365  # a token lives at most a year: one printed by `portal token` is easily forgotten
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_PORTS = {"http": 80, "https": 443}


class Settings(BaseSettings):
    # A refused value is never repeated in the error: it may be a secret, or a URL with a password.
    model_config = SettingsConfigDict(
        env_prefix="PORTAL_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(Path("data"), description="Folder for the embedded database, secret and files.")
    database_url: str = Field(
        "", description="Database URL; empty means the SQLite file `<data_dir>/portal.sqlite3`."
    )
    files_dir: Path | None = Field(
        None, description="Where generated files go; empty means `<data_dir>/files`."
    )
    secret_key: str = Field(
        "",
        description="Secret that signs tokens and links, at least 32 characters; empty means one "
        "generated once into `<data_dir>/secret.key`.",
    )
    credential_keys_dir: Path | None = Field(
        None,
        description="Folder of the Ed25519 keys that sign the Open Badges credentials (`signing-key.pem`, "
        "and `retired/` public keys that stay published); empty means `<data_dir>/credential-keys`, made "
        "on first use. At scale, a folder every API process shares (`portal rotate-credential-key`).",
    )
    credential_status_max_age: int = Field(
        300,
        ge=0,
        description="Seconds a verifier or cache may keep a credentials status list before asking again "
        "(it answers with its ETag; a revocation shows within this time).",
    )
    token_days: int = Field(
        30,
        le=MAX_TOKEN_DAYS,
        description=f"Default lifetime of a token made by `portal token`, in days (1–{MAX_TOKEN_DAYS}).",
    )
    broker_url: str = Field("", description="Job broker; empty means in-process.")
    pubsub_url: str = Field(
        "",
        description="Redis URL carrying job events to subscribers of every API process; empty: in-process.",
    )
    namespace: str = Field(
        "portal",
        description="Prefix of every Redis key and channel and every job queue the service uses, so several "
        "deployments (or test runs) can share one Redis or RabbitMQ.",
    )
    smtp_url: str = Field(
        "",
        description="SMTP server (`smtp://user:password@host:port` or `smtps://…`); "
        "empty keeps mail in the outbox.",
    )
    sweep_seconds: float = Field(
        300,
        description="How often waiting work (pending mail, certificate files that stopped moving) is handed "
        "to the job queue again.",
    )
    worker_threads: int | None = Field(
        None,
        description="Job threads inside each API process; by default 2 without a broker URL (the embedded "
        "mode) and none with one (`portal worker` processes make the jobs).",
    )
    job_lease_seconds: float = Field(
        60,
        description="How long a worker owns a chunk of a certificates file without renewing its lease (it "
        "renews it while alive); a killed worker's chunk goes to another after this.",
    )
    job_stall_seconds: float | None = Field(
        None,
        description="How long an unfinished certificates file may go untouched before the sweep hands it "
        "to the job queue again (a lost message); empty means 2 × PORTAL_JOB_LEASE_SECONDS.",
    )
    job_run_seconds: float = Field(
        5,
        ge=0,
        description="How long one job message may go on making a certificates file's chunks that nobody "
        "holds before it leaves the rest to the queue; 0: one chunk a message.",
    )
    broker_heartbeat_ms: int = Field(
        60_000,
        description="Redis broker: silence after which a worker process counts as dead and the messages it "
        "held go back to the queue.",
    )
    file_jobs_per_user: int = Field(
        3, description="Certificates files one user may have queued or being made at once."
    )
    file_requests_per_minute: int = Field(
        10,
        description="New certificates files one user may request per minute (asking again for a "
        "selection already queued is not counted).",
    )
    job_max_retries: int = Field(8, ge=0, description="Attempts after the first before a job gives up.")
    job_min_backoff_ms: int = Field(5_000, description="Wait before the first retry, doubling each time.")
    job_max_backoff_ms: int = Field(600_000, description="Longest wait between retries.")
    progress_sync_hour: int | None = Field(
        3,
        ge=0,
        le=23,
        description="Hour of the day (UTC, 0–23) from which the daily progress sync from Canvas runs; "
        "empty turns the schedule off.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins (e.g. https://portal.example.edu) other than PORTAL_PUBLIC_URL's that "
        "may call the API (CORS) and open its WebSocket; comma-separated.",
    )
    graphql_explorer: bool = Field(
        True,
        description='GraphiQL, schema introspection and field suggestions ("Did you mean …") for people '
        "exploring the API; turn off in production.",
    )
    max_query_depth: int = Field(10, description="Deepest nesting of fields an operation may have.")
    max_aliases: int = Field(20, description="Most aliased fields in one operation.")
    max_query_cost: int = Field(
        10_000,
        description="Most an operation may cost: 1 a field, its selections counted once per item of "
        "the page it asks for (`first`), so nested lists multiply.",
    )
    max_query_tokens: int = Field(
        2_000, description="Most lexical tokens in a document (checked while parsing)."
    )
    max_query_characters: int = Field(
        100_000, description="Longest GraphQL document, in characters (checked before parsing)."
    )
    max_query_fields: int = Field(
        2_000,
        description="Most field selections in a document once its fragments are expanded (bounds the "
        "work of validating it).",
    )
    max_repeated_fields: int = Field(
        30,
        description="Most fields answering to one name in one selection set, fragments included "
        "(validation compares them pairwise).",
    )
    max_text_characters: int = Field(
        1_000,
        description="Longest text in any GraphQL input (a search, a name, an address line), in characters.",
    )
    max_request_bytes: int = Field(
        1_000_000,
        description="Largest GraphQL request body (HTTP), in bytes (a 5,000-id selection is ~150 KB).",
    )
    max_upload_bytes: int = Field(
        3_000_000,
        description="Largest GraphQL multipart request body (a template image upload), in bytes; an image "
        "itself is at most 2 MB.",
    )
    max_header_bytes: int = Field(
        16_384, description="Largest set of request headers, in bytes (431 beyond it, before any is read)."
    )
    max_subscriptions_per_socket: int = Field(
        20, description="Most operations one WebSocket may have running at once."
    )
    connection_init_seconds: float = Field(
        10, description="How long a new WebSocket may wait before sending `connection_init`."
    )
    mail_from: str = Field("Recognition <recognition@localhost>", description="Sender of the mail we send.")
    public_url: str = Field("http://127.0.0.1:8000", description="Base URL used in links we send out.")
    app_url: str = Field(
        "",
        description="The partner portal (front end) that mails link to; empty means the example portal this "
        "service serves at PORTAL_PUBLIC_URL's `/`.",
    )
    app_recognition_route: str = Field(
        DEFAULT_RECOGNITION_ROUTE,
        description="Path of a recognition's details page in the portal, after PORTAL_APP_URL; `{id}` is the "
        "API's global id.",
    )
    app_certificates_route: str = Field(
        DEFAULT_CERTIFICATES_ROUTE,
        description="Path of a recognition's certificates step in the portal; `{id}` is the API's global id.",
    )
    certifier_name: str = Field(
        "ACUE",
        description="The certifying organisation, as partners know it (mail, and who did a staff action).",
    )
    verify_per_minute: int = Field(
        30,
        description="Certificate verifications one client address may make per minute (stops enumeration).",
    )
    log_format: Literal["console", "json"] = Field(
        "console", description="`console`: lines for people; `json`: one JSON object a line, for machines."
    )
    log_level: str = Field(
        "INFO", description="Least important log records written: DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
    metrics_token: str = Field(
        "",
        description="Bearer token /metrics asks for; empty leaves it open (it holds no personal data).",
    )
    worker_metrics_host: str = Field(
        "127.0.0.1", description="Address on which each `portal worker` serves its Prometheus metrics."
    )
    worker_metrics_port: int | None = Field(
        9191, description="Port of each `portal worker`'s Prometheus metrics; empty turns them off."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (e.g. 10.0.0.0/8) of the load balancers in front of `portal "
        "serve`, comma-separated: a request from one is taken to come from the client its "
        "X-Forwarded-For names (per-address limits, audit addresses). Empty: the connection's own "
        "address, headers ignored.",
    )
    host: str = Field("127.0.0.1", description="Address `portal serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `portal serve` listens on.")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # As a browser sends its Origin header (CORS and the WebSocket check compare it as a string):
        # scheme and host in lower case, no default port.
        # A refused origin is named by its place in the list, not quoted: it may hold a password.
        origins = []
        for place, origin in enumerate(value, start=1):
            as_sent = "*" if origin == "*" else _origin(origin)
            if as_sent is None:
                raise ValueError(
                    f"{_which(place, len(value), 'origin')}must be http(s)://host[:port] with no path, e.g. "
                    "https://portal.example.edu (or * for pages anywhere)"
                )
            origins.append(as_sent)
        return origins

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (in any case)")
        return value.upper()

    @field_validator("mail_from")
    @classmethod
    def _mail_address(cls, value: str) -> str:
        if not _is_one_mail_address(value):
            raise ValueError(
                "must be one mail address, alone or after a name: Recognition <recognition@example.edu>"
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.lstrip().startswith("["):
            value = [address.strip() for address in value.split(",") if address.strip()]
        for place, address in enumerate(value, start=1):
            try:
                ip_network(address, strict=False)
            except ValueError:
                raise ValueError(
                    f"{_which(place, len(value), 'address')}must be an IP address or network, e.g. "
                    "10.0.0.7 or 10.0.0.0/8"
                ) from None
        return value

    @field_validator(
        "token_days",
        "sweep_seconds",
        "job_lease_seconds",
        "verify_per_minute",
        "file_jobs_per_user",
        "file_requests_per_minute",
        "job_min_backoff_ms",
        "job_max_backoff_ms",
        "broker_heartbeat_ms",
        "max_query_depth",
        "max_aliases",
        "max_query_cost",
        "max_query_tokens",
        "max_query_characters",
        "max_query_fields",
        "max_repeated_fields",
        "max_text_characters",
        "max_request_bytes",
        "max_upload_bytes",
        "max_header_bytes",
        "max_subscriptions_per_socket",
        "connection_init_seconds",
        "job_stall_seconds",
    )
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough_to_sign(cls, value: str) -> str:
        # HS256 wants a key of at least its hash's 256 bits (RFC 7518 §3.2); a short one can be guessed.
        if value and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"must be at least {MIN_SECRET_BYTES} characters (it signs tokens and links); make one with "
                "`python3 -c 'import secrets; print(secrets.token_hex(32))'`, or leave it empty to have "
                "one generated into the data folder"
            )
        return value

    @field_validator("public_url", "app_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        # Links are made by adding a path to it: a query or fragment would end up in the middle.
        if value and not (_has_scheme_and_host(value, {"http", "https"}) and _is_base(value)):
            raise ValueError(
                "must be an http:// or https:// address with a host, e.g. https://portal.example.edu "
                "(a path may follow; no user, query or fragment)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and (problem := _database_url_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("broker_url")
    @classmethod
    def _supported_broker(cls, value: str) -> str:
        if value and not _has_scheme_and_host(value, {"redis", "rediss", "amqp", "amqps"}):
            raise ValueError(
                "must be a Redis (redis://host:port/db) or RabbitMQ (amqp://user:password@host:port/) URL; "
                "empty means in-process"
            )
        return value

    @field_validator("pubsub_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if value and not _has_scheme_and_host(value, {"redis", "rediss"}):
            raise ValueError("must be a Redis URL (redis://host:port/db); empty means in-process")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str) -> str:
        if problem := smtp_url_problem(value):
            raise ValueError(problem.removeprefix("PORTAL_SMTP_URL "))  # the line names it already
        return value

    @field_validator("app_recognition_route", "app_certificates_route")
    @classmethod
    def _route_with_id(cls, value: str) -> str:
        if value.count("{id}") != 1:
            raise ValueError("a route template holds `{id}` (the API's global id) exactly once")
        if not value.startswith("/") or value.startswith("//"):
            raise ValueError("a route template is a path on the web app, starting with one `/`")
        return value

    @field_validator("certifier_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip() or not value.isprintable():
            raise ValueError("the certifying organisation's name, as mails print it, cannot be empty")
        return value.strip()

    @field_validator(
        "files_dir",
        "credential_keys_dir",
        "worker_threads",
        "progress_sync_hour",
        "worker_metrics_port",
        "job_stall_seconds",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """`PORTAL_X=` (empty) means "not set" for the settings whose default is a choice."""
        return None if value == "" else value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'portal.sqlite3'}"

    @property
    def resolved_credential_keys_dir(self) -> Path:
        return self.credential_keys_dir or self.data_dir / "credential-keys"

    @property
    def api_worker_threads(self) -> int:
        if self.worker_threads is not None:
            return self.worker_threads
        return 0 if self.broker_url else 2

    @property
    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    def browser_origins(self) -> list[str]:
        """Pages that may call the API from a browser: PORTAL_PUBLIC_URL's origin and the allowed."""
        public = urlsplit(self.public_url)
        return [f"{public.scheme}://{public.netloc}", *self.allowed_origins]

    @property
    def job_stall(self) -> timedelta:
        """Untouched this long, an unfinished file is handed to the queue again: by default twice the
        lease, so a file whose messages were lost moves within 2 × lease + sweep of the broker's return."""
        return timedelta(seconds=self.job_stall_seconds or 2 * self.job_lease_seconds)

    def file_limits(self) -> tuple[int, int]:
        """Certificates files one user may have unfinished at once, and request per minute."""
        return self.file_jobs_per_user, self.file_requests_per_minute

    def mail_config(self) -> MailConfig:
        links = PortalLinks(
            app_url=self.app_url or self.public_url,
            recognition_route=self.app_recognition_route,
            certificates_route=self.app_certificates_route,
        )
        return MailConfig(
            sender=self.mail_from, public_url=self.public_url, portal=links, certifier=self.certifier_name
        )

    def signing_secret(self) -> str:
        """The configured secret, or the one kept in the data folder (made on first use)."""
        if self.secret_key:
            return self.secret_key
        return _secret_from_file(self.data_dir / SECRET_FILE_NAME)


def _has_scheme_and_host(url: str, schemes: set[str]) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def _is_base(url: str) -> bool:
    """Whether a path can be added to the address: no query or fragment, and no user or password
    (links we send and the browser origin are made from it)."""
    parts = urlsplit(url)
    return not (parts.query or parts.fragment or "@" in parts.netloc or url.endswith(("?", "#")))


def _which(place: int, count: int, noun: str) -> str:
    """Which entry of a comma-separated setting a message is about ("its 2nd origin "), or nothing
    when it has one: the entry itself is not quoted (it may hold a password)."""
    if count == 1:
        return ""
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"its {place}{suffix} {noun} "


POSTGRES_FORM = "postgres://user:password@host:port/name"
DATABASE_PORT = (
    f"must have a port from 1 to 65535 (or none, for 5432), as in {POSTGRES_FORM}; a / ? # or @ in the "
    "user or password is written %2F %3F %23 %40"
)


def _database_url_problem(url: str) -> str | None:
    """What keeps Tortoise from opening a database URL, in words that never quote it (it may hold a
    password), or None."""
    from tortoise.backends.base.config_generator import _quote_url_userinfo, expand_db_url

    try:
        # As Tortoise reads it: a [ or ] in the password is taken as itself, not an IPv6 bracket.
        parts = urlsplit(_quote_url_userinfo(url))
    except ValueError:  # an unclosed [ of an IPv6 address
        return DATABASE_PORT
    if parts.scheme not in DATABASE_SCHEMES:
        return (
            f"must be a PostgreSQL URL ({POSTGRES_FORM}) or sqlite://PATH; empty means the SQLite file "
            "in the data folder"
        )
    if parts.scheme == "sqlite":
        if not (parts.netloc + parts.path).strip("/"):
            return (
                "must name the SQLite file: sqlite:///absolute/path.sqlite3 or sqlite://relative/path.sqlite3"
            )
    else:
        try:
            port = parts.port
        except ValueError:  # not a number, or past 65535
            return DATABASE_PORT
        if port == 0:
            return DATABASE_PORT
        if not parts.hostname and "host" not in parse_qs(parts.query):
            # Without one, asyncpg would quietly connect to a server on this machine.
            return (
                f"must name the PostgreSQL server's host, as in {POSTGRES_FORM} (a socket folder: "
                "?host=/path)"
            )
    try:
        expand_db_url(url)
    except Exception:  # its words may quote the URL: ours say what it must be
        return (
            "must have options Tortoise can read after its `?` (numbers where numbers are due), e.g. "
            f"{POSTGRES_FORM}?max_size=10"
        )
    return None


def _origin(value: str) -> str | None:
    """The origin as a browser sends it, or None when the value is not one (a path, a query, a user,
    another scheme)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def _is_one_mail_address(value: str) -> bool:
    """Whether a From header of this value holds exactly one whole address, as the mail we send
    parses it."""
    from email.headerregistry import Address
    from email.policy import default

    header = default.header_factory("From", value)
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    return (
        not header.defects
        and len(addresses) == 1
        and bool(addresses[0].username)
        and bool(addresses[0].domain)
    )


def _secret_from_file(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Exclusive create: two processes starting at once agree on the first secret written.
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(secret)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()
