"""The `jxzp` console script: Ctrl-C at any moment, the first imports included, ends with one Chinese line and 130."""
from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = "已中断，之前的输出未改动"
EXIT_INTERRUPTED = 130     # the shell's code for a command ended by Ctrl-C


def _interrupted(signum, frame) -> None:
    """Ctrl-C while the command line's libraries load (about 0.3 s), or outside its own handling: leave at once.

    Raising KeyboardInterrupt here would break off some library's import half-way and print its traceback, or be
    swallowed by a library's broad `except`; exiting from the handler is the one answer that cannot be lost."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.stderr.write(f"\n{INTERRUPTED}\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_INTERRUPTED)


def main() -> None:
    """Load the command line under a Ctrl-C handler of our own, then hand over to it (it answers Ctrl-C itself)."""
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except KeyboardInterrupt:   # came while Python's own handler was being replaced
        _interrupted(signal.SIGINT, None)
    except ValueError:      # not the main thread (an embedding program): its own handler stays
        pass
    from .cli import main as command

    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        pass
    try:
        command()
    except KeyboardInterrupt:   # in the instants before the command's own handling starts or after it ended
        _interrupted(signal.SIGINT, None)
    finally:
        # The command has ended, its outcome printed and its exit code set: a Ctrl-C while Python shuts down
        # (closing worker processes, flushing files) would only replace that code and hide the outcome.
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except (ValueError, KeyboardInterrupt):
            pass


if __name__ == "__main__":
    main()
