"""Health data stays out of the logs: no tracker, slot value or message text at INFO or above.

Rasa and rasa-sdk put whole trackers (with the visitor's checklist answers) into some log
lines, for instance when a custom action fails: rasa-sdk answers with the request it got, and
Rasa logs that answer, in the message or in a chained exception. Every log record at INFO and
above, its exception included, has any JSON or dict-like text ({...}, [...]) replaced, as do
quoted texts after "text", "message" or "value". DEBUG (never used in production) is left as it is.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[removed: may hold health data]"
QUOTED_FIELD = re.compile(
    r"""(["']?(?:text|message|value|slots?|tracker|latest_message|request_body|events)["']?"""
    r"""\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2""",
    re.IGNORECASE,
)
_OPENERS, _CLOSERS = "{[", "}]"


def without_structures(text: str) -> str:
    """The text with each outermost {...} or [...] replaced (nested, quoted or not)."""
    out, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in _OPENERS:
            if depth == 0:
                out.append(text[start:index])
            depth += 1
        elif char in _CLOSERS and depth:
            depth -= 1
            if depth == 0:
                out.append(REDACTED)
                start = index + 1
    out.append(text[start:] if depth == 0 else REDACTED)
    return "".join(out)


def redact(text: str) -> str:
    return QUOTED_FIELD.sub(lambda m: m.group(1) + REDACTED, without_structures(text))


def _redacting_factory(original):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = original(*args, **kwargs)
        if record.levelno >= logging.INFO:
            record.msg, record.args = redact(record.getMessage()), ()
            if record.exc_info:
                record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
                record.exc_info = None
        return record

    factory.keeps_health_data_out = True
    return factory


def keep_health_data_out_of_logs() -> None:
    """Every log record made from now on, in this process, is redacted at INFO and above."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "keeps_health_data_out", False):
        logging.setLogRecordFactory(_redacting_factory(current))
