"""What went wrong in an import, and where: a file with its line, or its JSON path."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a fact was read: `source` is the file as named by the user."""

    source: str
    line: int | None = None
    path: str = ""

    def __str__(self):
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.path:
            return f"{self.source}: {self.path}"
        return self.source

    def at_line(self, line):
        return Origin(self.source, line=line)

    def at_path(self, path):
        return Origin(self.source, path=path)


class FilmImportError(Exception):
    """A file, or one film in it, cannot be imported. The message names the place."""

    def __init__(self, message, *, origin):
        super().__init__(message)
        self.message = message
        self.origin = origin

    def __str__(self):
        return f"{self.origin}: {self.message}"


@dataclass(frozen=True)
class FilmImportWarning:
    """A damaged value that was left out; the film still loads without it."""

    message: str
    origin: Origin

    def __str__(self):
        return f"{self.origin}: {self.message}"
