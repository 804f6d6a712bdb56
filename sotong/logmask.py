"""Phone numbers are masked in every log line of every Sotong process.

``install()`` swaps the process's LogRecord factory for one that formats the
message, the traceback and the stack text at the moment the record is *created*
and masks the phone numbers in them (``010-****-5678``). Masking at creation
rather than in a handler filter means every handler sees masked text, including
the ones Rasa, Sanic, uvicorn or structlog add after us, and a record passed
to several handlers is masked once.

``install()`` is idempotent and cheap; each entry point calls it first thing:
Rasa (``connectors/__init__.py``), the action server (``actions``), the web
app (``web/__main__.py``) and the ``sotong`` CLI (notification worker).
Python warnings are routed through logging too, so a warning that quotes a
resident's message is masked like any other line.
"""

from __future__ import annotations

import logging
import traceback

from sotong.notifications.masking import mask_phones

_MARK = "_sotong_masking"


def _masking_factory(previous):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        record.msg, record.args = mask_phones(message), ()
        if record.exc_info and not record.exc_text:
            # Formatter.format() reuses exc_text when set, so the traceback is printed masked.
            record.exc_text = mask_phones("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if record.stack_info:
            record.stack_info = mask_phones(record.stack_info)
        return record

    setattr(factory, _MARK, True)
    return factory


def install() -> None:
    """Mask phone numbers in every log record this process creates from now on."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return
    logging.setLogRecordFactory(_masking_factory(current))
    # warnings.warn(...) would otherwise be written to stderr unmasked.
    logging.captureWarnings(True)
