"""Log filters for cloud clients: secrets never reach a log, chatty libraries log at DEBUG.

One source for every integration (common/ in the repository; scripts/sync_common.py copies it).
"""

from __future__ import annotations

from collections.abc import Iterable
import logging
import re

REDACTED = "**REDACTED**"


class RedactSecrets(logging.Filter):
    """Masks what the patterns match in a record's message. A pattern's first group, if it has
    one, is kept (`(token=)[^&]+` keeps `token=`); the rest of the match is masked."""

    def __init__(self, *patterns: re.Pattern[str]) -> None:
        super().__init__()
        self._patterns = patterns

    def _mask(self, match: re.Match[str]) -> str:
        return (match.group(1) if match.re.groups else "") + REDACTED

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in self._patterns:
            redacted = pattern.sub(self._mask, redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class InfoAsDebug(logging.Filter):
    """Libraries that log every frame or packet at INFO (which Home Assistant shows by default):
    their INFO records become DEBUG records, shown only when the logger is set to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        # Not isEnabledFor(): while a record is being handled it answers False on purpose.
        return logging.getLogger(record.name).getEffectiveLevel() <= logging.DEBUG


def install_filters(
    names: Iterable[str], *patterns: re.Pattern[str], info_as_debug: Iterable[str] = ()
) -> None:
    """Mask `patterns` on the loggers `names`; demote INFO to DEBUG on `info_as_debug`.

    A logger's filters see only the records logged on that very logger, so every logger that can
    print a secret is named.
    """
    for name in names:
        logging.getLogger(name).addFilter(RedactSecrets(*patterns))
    for name in info_as_debug:
        logging.getLogger(name).addFilter(InfoAsDebug())
