"""Command-line entry point: a thin click group; each command lives in trtlog/commands/<name>.py
and exports `command`. Errors become one line on stderr and a documented exit code (trtlog.errors)."""
from __future__ import annotations

import errno
import importlib
import os
import sys

import click

from . import __version__
from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, TrtlogError

COMMANDS = ["parse", "explain", "rules", "report", "diff", "build", "validate", "bench", "scan", "query"]

EXIT_CODES_HELP = """Exit codes: 0 ok; 1 a fail condition was met (--fail-on, validation FAIL,
failed build); 2 bad input or usage; 3 internal error; 130 interrupted."""


class LazyGroup(click.Group):
    def invoke(self, ctx):
        # click turns a broken pipe into a silent exit 1; trtlog says it in one line (exit 2)
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()
            raise TrtlogError("cannot write standard output: broken pipe (its reader closed it)") from None

    def list_commands(self, ctx):
        return [c for c in COMMANDS if self._load(c) is not None]

    def get_command(self, ctx, name):
        return self._load(name)

    @staticmethod
    def _load(name):
        try:
            mod = importlib.import_module(f"trtlog.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"trtlog.commands.{name}":
                return None
            raise
        return getattr(mod, "command", None)


@click.group(cls=LazyGroup, epilog=EXIT_CODES_HELP,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trtlog")
@click.option("--jobs", type=click.IntRange(min=1), envvar="TRTLOG_JOBS", show_envvar=True,
              help="Processes that scan a log's blocks (default: one per core from 4 cores on, else 1).")
@click.pass_context
def cli(ctx, jobs):
    """trtlog: make TensorRT engine builds explainable."""
    from . import parse
    before = parse.DEFAULT_JOBS             # restored after the command: an in-process caller keeps its own
    parse.DEFAULT_JOBS = jobs or parse.auto_jobs()
    ctx.call_on_close(lambda: setattr(parse, "DEFAULT_JOBS", before))


def _quiet_stdout() -> None:
    """After stdout failed (closed pipe, full disk): point it at /dev/null so that the flush at
    exit does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv=None):
    try:
        rv = cli.main(args=argv, prog_name="trtlog", standalone_mode=False)
        if sys.stdout is not None:
            sys.stdout.flush()    # a full disk shows here, not at exit
    except TrtlogError as exc:
        click.echo(f"trtlog: error: {exc}", err=True)
        sys.exit(exc.code)
    except click.exceptions.Abort:
        click.echo("trtlog: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        click.echo(f"trtlog: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_BAD_INPUT if exc.exit_code == 2 else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("trtlog: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:   # every OS error on input or output: one line naming the path
        where = exc.filename or "standard output"
        if where == "standard output":
            _quiet_stdout()
        reason = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        click.echo(f"trtlog: error: cannot write {where}: {reason}" if where == "standard output"
                   else f"trtlog: error: {where}: {reason}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # a bug: still one line, never a traceback unless asked for
        if os.environ.get("TRTLOG_DEBUG"):
            raise
        click.echo(f"trtlog: internal error: {type(exc).__name__}: {exc} (TRTLOG_DEBUG=1 shows the traceback)",
                   err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(rv if isinstance(rv, int) else 0)
