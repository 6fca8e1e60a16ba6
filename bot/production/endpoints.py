"""The endpoint settings the servers run with, and the checks that their database is there.

One file per mode: endpoints.yml (local: SQLite, in-memory locks) and deploy/endpoints.yml
(production: PostgreSQL and Redis from environment variables). Every tool that needs the
tracker store (the server's start-up check, retention, staff review) reads it from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import sqlalchemy as sa
import yaml

from bot.shared.project import project_file

LOCAL_ENDPOINTS = "endpoints.yml"
PRODUCTION_ENDPOINTS = "deploy/endpoints.yml"
CONNECT_TIMEOUT_SECONDS = 10


class EndpointsError(RuntimeError):
    """An endpoints file that cannot be used, with what to do about it."""


class DatabaseUnavailable(RuntimeError):
    """The configured tracker database is missing or unreachable: nothing may start on it."""


class NoDatabaseFile(DatabaseUnavailable):
    """A SQLite tracker store whose file is not there (yet): nothing to read from it."""


def local_endpoints_file() -> Path:
    return project_file(LOCAL_ENDPOINTS)


def production_endpoints_file() -> Path:
    return project_file(PRODUCTION_ENDPOINTS)


def read_endpoint(endpoints: Path, section: str) -> Any:
    """One section of an endpoints file as Rasa reads it (environment variables filled in)."""
    from rasa.core.utils import AvailableEndpoints

    if not endpoints.is_file():
        raise EndpointsError(
            f"Can't find {endpoints}: run this in the project folder, or pass "
            "--endpoints with the endpoints file the server uses."
        )
    try:
        available = AvailableEndpoints.read_endpoints(str(endpoints))
    except Exception as error:  # e.g. an environment variable it names is not set
        raise EndpointsError(f"Can't read {endpoints}: {error}") from None
    return getattr(available, section)


def tracker_store_config(endpoints: Path) -> Any:
    config = read_endpoint(endpoints, "tracker_store")
    if config is None or not config.type or config.type.lower() == "in_memory":
        raise EndpointsError(
            f"{endpoints} keeps conversations in memory only, so there is nothing "
            "to read: add a tracker_store section (see the project's endpoints.yml)."
        )
    return config


def database_url(config: Any) -> sa.engine.URL:
    """The SQL tracker store's database address, from its endpoint settings."""
    from rasa.core.tracker_store import SQLTrackerStore, validate_port

    settings = config.kwargs
    return sa.engine.url.make_url(
        SQLTrackerStore.get_db_url(
            settings.get("dialect", "sqlite"),
            config.url,
            validate_port(settings.get("port")),
            settings.get("db", "rasa.db"),
            settings.get("username"),
            settings.get("password"),
            settings.get("login_db"),
            settings.get("query"),
        )
    )


def is_sql_store(config: Any) -> bool:
    return config.type.lower() == "sql" or config.type.endswith(".StrictSQLTrackerStore")


def check_database(
    url: sa.engine.URL, timeout: int = CONNECT_TIMEOUT_SECONDS, existing_file: bool = False
) -> None:
    """Connects once to a server database. A SQLite file is created on first use, as Rasa does:
    only a reader (`existing_file`) needs it to be there already."""
    if url.get_backend_name() == "sqlite":
        if existing_file and not (url.database and Path(url.database).is_file()):
            raise NoDatabaseFile(f"There is no SQLite database at {Path(url.database or '?')}.")
        return
    engine = sa.create_engine(
        url, connect_args={"connect_timeout": timeout}, poolclass=sa.pool.NullPool
    )
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        missing = "does not exist" in reason
        raise DatabaseUnavailable(
            f"The tracker store database '{url.database}' on {url.host}:{url.port or ''} "
            + (
                "does not exist: create it (createdb) or fix DB_NAME."
                if missing
                else f"cannot be reached ({reason}). "
                "Check DB_HOST, DB_PORT, DB_USER and DB_PASSWORD."
            )
        ) from None
    finally:
        engine.dispose()


def open_tracker_store(endpoints: Path, domain: Any = None) -> Any:
    """The tracker store an endpoints file names (unwrapped from Rasa's fail-safe layer)."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    config = tracker_store_config(endpoints)
    if is_sql_store(config):
        try:
            check_database(database_url(config))
        except DatabaseUnavailable as error:
            raise EndpointsError(str(error)) from None
    store = TrackerStore.create(config, domain or Domain.empty())
    return getattr(store, "_tracker_store", store)


def write_local_endpoints(
    target: Path, action_port: int, tracker_db: Optional[Path] = None
) -> Path:
    """endpoints.yml with this run's action-server port (and SQLite file): derived, never copied."""
    endpoints: Dict[str, Any] = yaml.safe_load(local_endpoints_file().read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://localhost:{action_port}/webhook"
    if tracker_db is not None:
        endpoints["tracker_store"]["db"] = str(tracker_db)
    target.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return target
