"""Streams a command writes to."""

from io import StringIO


class ClosedAfter(StringIO):
    """Output whose reader goes away once a line starting with `prefix` is written to it."""

    def __init__(self, prefix):
        super().__init__()
        self.prefix = prefix

    def write(self, text):
        if text.startswith(self.prefix):
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)
