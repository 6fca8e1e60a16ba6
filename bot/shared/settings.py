"""The clinic's details, read from the environment or one YAML settings file."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from bot.shared.project import project_file

SETTINGS_FILE = "clinic.yml"


@dataclass(frozen=True)
class ClinicSettings:
    """What the answers say about the clinic; each field has an env variable CLINIC_<FIELD>.

    The defaults are what the assistant says when a clinic has not given a setting; they are
    also the domain's initial values (a test holds them equal), used if the action server is
    down. The clinic's own values are in clinic.yml.
    """

    clinic_name: str = "the clinic"
    clinic_phone: str = "the clinic's phone number"
    booking_url: str = "the clinic's website"
    clinic_address: str = "see the clinic's website"
    clinic_hours: str = "see the clinic's website"
    emergency_number: str = "911"
    crisis_line: str = "988"
    # How long conversations (with checklist answers) are kept: the retention job deletes
    # conversations idle for longer, and the checklist tells visitors so.
    retention_days: str = "30"
    # Facts only the clinic knows, each said as a whole sentence. The defaults say honestly
    # that the assistant does not know; a clinic replaces them with its own facts.
    chamber: str = (
        "I don't have the details of this clinic's chamber, such as its type and exact "
        "temperature: the clinic can tell you."
    )
    session_staff: str = (
        "The article says it should be given by trained health professionals: ask the clinic "
        "who runs its sessions."
    )
    protective_items: str = (
        "Ask the clinic what it provides, such as gloves, socks or slippers, and what to bring."
    )
    aftercare: str = (
        "I don't have this clinic's aftercare instructions: ask the staff at your session what "
        "to do and avoid afterwards."
    )
    prices: str = "Ask the clinic for its prices."
    insurance: str = (
        "Whether insurance, an HSA or an FSA covers it depends on your plan: check with them."
    )
    gift_cards: str = "Ask the clinic about gift cards."

    @staticmethod
    def env_name(field_name: str) -> str:
        """CLINIC_PHONE for clinic_phone; EMERGENCY_*, CRISIS_*, RETENTION_* as they are."""
        upper = field_name.upper()
        kept = ("CLINIC_", "EMERGENCY_", "CRISIS_", "RETENTION_")
        return upper if upper.startswith(kept) else f"CLINIC_{upper}"

    def as_slots(self) -> Dict[str, str]:
        return asdict(self)


def load_settings(
    environ: Optional[Mapping[str, str]] = None, path: Optional[Path] = None
) -> ClinicSettings:
    """Defaults, overridden by the settings file, overridden by environment variables."""
    environ = os.environ if environ is None else environ
    path = path or Path(environ.get("CLINIC_SETTINGS_FILE") or project_file(SETTINGS_FILE, environ))
    values: Dict[str, Any] = {}
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected 'key: value' lines, found {type(loaded).__name__}")
        known = {f.name for f in fields(ClinicSettings)}
        unknown = sorted(set(loaded) - known)
        if unknown:
            raise ValueError(
                f"{path}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}"
            )
        values.update({k: str(v) for k, v in loaded.items() if v not in (None, "")})
    for f in fields(ClinicSettings):
        env_value = environ.get(ClinicSettings.env_name(f.name), "").strip()
        if env_value:
            values[f.name] = env_value
    return ClinicSettings(**values)


def allowed_origins(environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The clinic's web origins that may embed the widget; "*" is ignored on purpose."""
    environ = os.environ if environ is None else environ
    raw = environ.get("WIDGET_ALLOWED_ORIGINS", "")
    origins = [origin.strip().rstrip("/") for origin in raw.split(",")]
    return [origin for origin in origins if origin and origin != "*"]
