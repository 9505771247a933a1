"""`--color auto|always|never` for the commands that colour their output, with the NO_COLOR and
FORCE_COLOR conventions (no-color.org, force-color.org)."""
from __future__ import annotations

import os
import re
import sys
from typing import IO, TYPE_CHECKING, Any, Optional

import click

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

CHOICES = ("auto", "always", "never")


def color_option(f: Any) -> Any:
    f = click.option("--no-color", "no_color", is_flag=True, hidden=True, help="Same as --color never.")(f)
    return click.option("--color", "color", type=click.Choice(CHOICES), default="auto", show_default=True,
                        help="Colour the text: auto = when writing to a terminal, unless NO_COLOR is set "
                             "(FORCE_COLOR forces it).")(f)


def use_color(choice: str, no_color: bool = False, stream: Optional[IO[str]] = None) -> bool:
    """--color always/never win; auto: NO_COLOR (non-empty) turns colour off, then FORCE_COLOR (non-empty,
    not '0') turns it on, else colour when the stream is a terminal."""
    if no_color or choice == "never":
        return False
    if choice == "always":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    isatty = getattr(stream if stream is not None else sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def terminal_console(stream: Optional[IO[str]] = None) -> "Console":
    """The rich Console of the colour-terminal renderings (explain, diff), once use_color said yes: colour
    even where rich would guess otherwise (FORCE_COLOR, --color always into a pipe), the 8 standard colours,
    width from the terminal (COLUMNS wins), and log text printed as is (no markup, emoji or highlighting)."""
    from rich.console import Console
    return Console(file=TrimmedLines(stream if stream is not None else sys.stdout), force_terminal=True,
                   no_color=False, color_system="standard", highlight=False, markup=False, emoji=False)


# what ends a line after its last character: blanks and style codes, in any order (a padded table cell puts the
# blanks after the code that closes its style)
_TRAILING = re.compile(r"(?:[ ]|\x1b\[[0-9;]*m)+\n")


def _codes_only(m: "re.Match[str]") -> str:
    return m.group(0).replace(" ", "")


class TrimmedLines:
    """A text stream that drops the spaces rich pads wrapped and tabulated lines with (they end up in whatever
    a user copies out of the terminal); everything else goes through unchanged."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        buffered = self.pending + text
        cut = buffered.rfind("\n") + 1
        self.pending = buffered[cut:]
        if cut:
            self.stream.write(_TRAILING.sub(_codes_only, buffered[:cut]))
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:      # isatty, fileno, encoding, ... of the real stream
        return getattr(self.stream, name)
