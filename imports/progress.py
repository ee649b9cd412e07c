"""How an import shows its progress: a bar on a terminal (rich), else a plain line every 100
objects, so a log stays readable."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

LINE_EVERY = 100


class ProgressLines:
    """``written 100/1501 objects`` every ``LINE_EVERY`` objects, and at the end."""

    def __init__(self, write):
        self.write = write
        self.total = self.done = 0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, line: str) -> None:
        self.done += 1
        if self.done % LINE_EVERY == 0 or self.done == self.total:
            self.write(f"written {self.done}/{self.total} objects")

    def close(self) -> None:
        return None


class ProgressBar:
    """rich's bar, drawn on the terminal and gone when done (the summary stays last)."""

    def __init__(self, stream):
        self.bar = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.task = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("import", total=total)

    def advance(self, line: str) -> None:
        self.bar.advance(self.task)

    def close(self) -> None:
        self.bar.stop()


def progress_for(stream, write):
    """A bar when ``stream`` is a terminal, else plain lines through ``write``."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return ProgressBar(stream)
    return ProgressLines(write)
