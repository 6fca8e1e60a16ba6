"""The conversation lock store, as the production endpoints configure it."""

from __future__ import annotations

import socket

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import read_endpoints_from_path
from rasa.utils.endpoints import EndpointConfig

from bot.production.lock_store import AtomicRedisLockStore
from tests.conftest import ROOT


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_production_endpoints_build_the_atomic_store_from_the_environment(monkeypatch):
    settings = {
        "REDIS_HOST": "redis.internal",
        "REDIS_PORT": "6380",
        "REDIS_DB": "3",
        "REDIS_PASSWORD": "s3cret",
        "DB_HOST": "db",
        "DB_PORT": "5432",
        "DB_NAME": "rasa",
        "DB_USER": "rasa",
        "DB_PASSWORD": "pw",
        "ACTION_SERVER_URL": "http://actions/webhook",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    store = LockStore.create(read_endpoints_from_path(ROOT / "deploy" / "endpoints.yml").lock_store)
    assert isinstance(store, AtomicRedisLockStore)
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"], connection["password"]) == (
        "redis.internal",
        6380,
        3,
        "s3cret",
    )


def test_database_0_written_as_a_number_is_kept():
    store = AtomicRedisLockStore(EndpointConfig(url="redis.internal", type="x", port=6379, db=0))
    assert store.red.connection_pool.connection_kwargs["db"] == 0


async def test_an_unreachable_redis_is_a_lock_error_not_a_hang():
    store = AtomicRedisLockStore(host="127.0.0.1", port=closed_port(), socket_timeout=2)
    with pytest.raises(LockError, match="cannot be reached"):
        async with store.lock("visitor"):
            pass
