"""Production mode (python -m bot.production.serve) refuses to start with unsafe settings."""

from __future__ import annotations

import pytest

from bot.production.serve import configuration_problems, main, production_command

SAFE = {
    "RASA_API_TOKEN": "x" * 40,
    "WIDGET_ALLOWED_ORIGINS": "https://clinic.example",
    "ACTION_SERVER_URL": "http://actions:5055/webhook",
    "DB_HOST": "db",
    "DB_PORT": "5432",
    "DB_NAME": "rasa",
    "DB_USER": "rasa",
    "DB_PASSWORD": "pw",
    "REDIS_HOST": "redis",
    "REDIS_PORT": "6379",
    "REDIS_DB": "1",
    "REDIS_PASSWORD": "",
}


def test_safe_settings_pass():
    assert configuration_problems(SAFE) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            {"RASA_API_TOKEN": ""},
            "RASA_API_TOKEN must be set to a secret of at least 32 characters",
        ),
        ({"RASA_API_TOKEN": "short"}, "at least 32 characters"),
        ({"WIDGET_ALLOWED_ORIGINS": "*"}, "'*' would let any web page use the API"),
        ({"WIDGET_ALLOWED_ORIGINS": "https://clinic.example,*"}, "'*' would let any web page"),
        (
            {"WIDGET_ALLOWED_ORIGINS": ""},
            "WIDGET_ALLOWED_ORIGINS must list the clinic's web origins",
        ),
        ({"DB_HOST": ""}, "Set DB_HOST"),
    ],
)
def test_unsafe_or_missing_settings_are_refused(change, expected):
    assert any(expected in problem for problem in configuration_problems({**SAFE, **change}))


def test_a_well_known_token_is_refused_even_when_long_enough(monkeypatch):
    monkeypatch.setattr("bot.production.serve.KNOWN_DEFAULT_TOKENS", {"x" * 40})
    assert configuration_problems(SAFE) == [
        "RASA_API_TOKEN is a well-known default; set a secret of your own."
    ]


def test_the_server_refuses_to_start_and_says_why(capsys):
    assert main(environ={**SAFE, "RASA_API_TOKEN": "rasaToken"}) == 2
    assert "Refusing to start: RASA_API_TOKEN must be set" in capsys.readouterr().err


def test_the_api_needs_the_token_and_cors_is_the_clinics_origin_only():
    arguments = production_command(SAFE).argv
    assert arguments[arguments.index("--auth-token") + 1] == SAFE["RASA_API_TOKEN"]
    assert arguments[arguments.index("--cors") + 1 :] == ["https://clinic.example"]
    assert arguments[arguments.index("--endpoints") + 1].endswith("deploy/endpoints.yml")
