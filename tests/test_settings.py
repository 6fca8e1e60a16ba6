import pytest

from bot.shared.settings import ClinicSettings, load_settings


def test_defaults_come_from_the_settings_file(tmp_path):
    path = tmp_path / "clinic.yml"
    path.write_text("clinic_name: Northside Clinic\nclinic_phone: '555 1234'\n")
    settings = load_settings(environ={}, path=path)
    assert settings.clinic_name == "Northside Clinic"
    assert settings.clinic_phone == "555 1234"
    assert settings.emergency_number == "911"


def test_environment_variables_override_the_file(tmp_path):
    path = tmp_path / "clinic.yml"
    path.write_text("clinic_phone: '555 1234'\n")
    env = {
        "CLINIC_PHONE": "020 7946 0000",
        "EMERGENCY_NUMBER": "999",
        "CLINIC_BOOKING_URL": "https://x.test/book",
    }
    settings = load_settings(environ=env, path=path)
    assert (settings.clinic_phone, settings.emergency_number, settings.booking_url) == (
        "020 7946 0000",
        "999",
        "https://x.test/book",
    )


def test_an_unknown_setting_is_reported_by_name(tmp_path):
    path = tmp_path / "clinic.yml"
    path.write_text("clinic_fone: '555'\n")
    with pytest.raises(ValueError, match="clinic_fone"):
        load_settings(environ={}, path=path)


def test_every_setting_becomes_a_slot_of_the_same_name(domain):
    assert set(ClinicSettings().as_slots()) <= set(domain["slots"])


def test_the_domains_initial_values_are_the_settings_defaults(domain):
    # What visitors read if the action server is down: the same honest defaults.
    initial = {name: domain["slots"][name].get("initial_value") for name in domain["slots"]}
    assert {k: initial[k] for k in ClinicSettings().as_slots()} == ClinicSettings().as_slots()
