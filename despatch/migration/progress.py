"""A one-line progress bar for long commands, drawn only on a terminal."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper

BAR_WIDTH = 30
REDRAW_SECONDS = 0.2


class ProgressBar:
    """Redraw ``[#####-----]  45%  4,500/10,000 items  812/s  posts 4,400 …`` in place.

    Redraws at most five times a second, so a fast loop is not slowed by its
    own progress bar. On anything but a terminal (a log file, CI) it stays
    silent and the command's summary says everything.
    """

    def __init__(self, stream: OutputWrapper, *, enabled: bool | None = None) -> None:
        self.stream = stream
        self.enabled = enabled if enabled is not None else stream.isatty()
        self.last_drawn = 0.0
        self.drawn = False

    def update(
        self, *, done: int, total: int, fraction: float, rate: float, detail: str = ""
    ) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last_drawn < REDRAW_SECONDS and fraction < 1):
            return
        self.last_drawn = now
        filled = int(BAR_WIDTH * min(1.0, max(0.0, fraction)))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"\r[{bar}] {fraction:4.0%}  {done:,}/{total:,} items  {rate:,.0f}/s  {detail}"
        self.stream.write(line.ljust(110)[:140], ending="")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("")
            self.stream.flush()
            self.drawn = False
