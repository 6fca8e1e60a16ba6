"""Production entry point: refuses unsafe settings and missing services, then runs the server.

`make run` is the local mode (bot.production.local: embedded SQLite, a generated token).
Production starts through here: python -m bot.production.serve
"""

from __future__ import annotations

import os
import sys
from typing import List, Mapping, Optional

from bot.production.endpoints import (
    DatabaseUnavailable,
    EndpointsError,
    check_database,
    database_url,
    production_endpoints_file,
    read_endpoint,
    tracker_store_config,
)
from bot.production.server_command import ServerCommand, credentials_file, rasa_server_command
from bot.shared.settings import allowed_origins

MIN_TOKEN_LENGTH = 32
# Tokens from Rasa's docs, Helm chart and our own tests: anyone could guess them.
KNOWN_DEFAULT_TOKENS = {
    "thisismysecret",
    "rasatoken",
    "rasa_token",
    "changeme",
    "change-me",
    "secret",
    "token",
    "test-token",
    "mysecret",
    "password",
}
REQUIRED_SETTINGS = [
    "ACTION_SERVER_URL",
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_DB",
]
REDIS_TIMEOUT_SECONDS = 5


def configuration_problems(environ: Mapping[str, str]) -> List[str]:
    problems = []
    token = environ.get("RASA_API_TOKEN", "")
    if len(token) < MIN_TOKEN_LENGTH:
        problems.append(
            f"RASA_API_TOKEN must be set to a secret of at least {MIN_TOKEN_LENGTH} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )
    elif token.lower() in KNOWN_DEFAULT_TOKENS:
        problems.append("RASA_API_TOKEN is a well-known default; set a secret of your own.")
    listed = [o.strip() for o in environ.get("WIDGET_ALLOWED_ORIGINS", "").split(",")]
    if "*" in listed or not allowed_origins(environ):
        problems.append(
            "WIDGET_ALLOWED_ORIGINS must list the clinic's web origins (https://clinic.example); "
            "'*' would let any web page use the API from a visitor's browser."
        )
    missing = [name for name in REQUIRED_SETTINGS if not environ.get(name)]
    if missing:
        problems.append(f"Set {', '.join(missing)} (see docs/deploy.md).")
    if "REDIS_PASSWORD" not in environ:
        problems.append("Set REDIS_PASSWORD (it may be empty when Redis has no password).")
    return problems


def service_problems(environ: Mapping[str, str]) -> List[str]:
    """The database must exist and Redis must answer before the server takes traffic.

    Both are read from the production endpoints file, exactly as the server will read them.
    """
    import redis

    endpoints = production_endpoints_file()
    saved = dict(os.environ)
    os.environ.update(environ)  # Rasa fills ${VARS} in endpoints files from os.environ
    try:
        url = database_url(tracker_store_config(endpoints))
        lock_store = read_endpoint(endpoints, "lock_store")
    except EndpointsError as error:
        return [str(error)]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    problems = []
    try:
        check_database(url)
    except DatabaseUnavailable as error:
        problems.append(str(error))
    settings = lock_store.kwargs
    client = redis.Redis(
        host=lock_store.url,
        port=int(settings["port"]),
        db=int(settings["db"]),
        password=settings.get("password") or None,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {lock_store.url}:{settings['port']} does not answer ({error}).")
    return problems


def production_command(environ: Mapping[str, str]) -> ServerCommand:
    return rasa_server_command(
        endpoints=production_endpoints_file(),
        credentials=credentials_file(environ),
        port=int(environ.get("RASA_PORT", "5005")),
        token=environ["RASA_API_TOKEN"],
        environ=environ,
    )


def main(argv: Optional[List[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    environ = dict(os.environ if environ is None else environ)
    problems = configuration_problems(environ)
    if not problems:
        problems = service_problems(environ)
    if problems:
        for problem in problems:
            print(f"Refusing to start: {problem}", file=sys.stderr)
        return 2
    command = production_command(environ)
    os.execve(command.argv[0], command.argv, command.env)
    return 0  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
