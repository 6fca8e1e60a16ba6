"""Log records at INFO and above carry no tracker, slot value or message text."""

import logging

from bot.shared.log_privacy import REDACTED, keep_health_data_out_of_logs, redact


def test_json_and_dicts_are_removed_wherever_they_are_nested():
    line = (
        'Action failed: body=\'{"tracker": {"slots": {"tumor": true}}, "text": "I have cancer"}\''
    )
    assert redact(line) == f"Action failed: body='{REDACTED}'"
    assert redact("events [{'event': 'user', 'text': 'epilepsy'}] end") == f"events {REDACTED} end"


def test_quoted_texts_after_telling_field_names_are_removed():
    assert redact("user said text='I have a pacemaker' at 12:00") == (
        f"user said text={REDACTED} at 12:00"
    )


def test_records_and_their_exceptions_are_redacted_at_info_and_above(caplog):
    original = logging.getLogRecordFactory()
    try:
        check_records(caplog)
    finally:
        logging.setLogRecordFactory(original)  # the rest of the test session logs as before


def check_records(caplog):
    keep_health_data_out_of_logs()
    keep_health_data_out_of_logs()  # twice is once
    logger = logging.getLogger("tests.log_privacy")
    try:
        raise ValueError({"slots": {"anemia": True}})
    except ValueError:
        with caplog.at_level(logging.DEBUG):
            logger.exception("while handling %s", {"text": "my iron is low"})
            logger.debug("debug keeps %s", {"text": "as it is"})
    error, debug = caplog.records
    assert "iron" not in error.getMessage() and "anemia" not in (error.exc_text or "")
    assert "ValueError" in error.exc_text
    assert debug.getMessage() == "debug keeps {'text': 'as it is'}"
