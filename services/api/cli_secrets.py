"""Reading a secret for the CLI without putting it on the command line (where `ps` and shell history show it)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

PLAIN_WARNING = ("warning: --secret VALUE puts the secret in `ps` output and shell history; "
                 "prefer --secret-file PATH or --secret - (read from stdin)")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_secret(value: str | None, path: Path | None, *, required: bool = True) -> str | None:
    """``--secret -`` reads stdin, ``--secret-file PATH`` reads the file (one trailing newline dropped),
    ``--secret VALUE`` is accepted with a warning on stderr."""
    if value is not None and path is not None:
        raise fail("give --secret or --secret-file, not both")
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot read --secret-file: {exc.strerror}") from None
    elif value == "-":
        text = sys.stdin.read()
    elif value is not None:
        typer.echo(PLAIN_WARNING, err=True)
        text = value
    elif required:
        raise fail("the secret is missing: --secret-file PATH, or --secret - to read it from stdin")
    else:
        return None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise fail("the secret is empty")
    return text
