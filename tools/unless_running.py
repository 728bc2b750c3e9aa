"""`python -m tools.unless_running URL -- COMMAND...`: run a server unless one answers at URL.

`make run-web` and `make run-spa` run their parts under honcho, which stops every process when
one of them exits. A part already running (the tenant of `make run-tenant`, or the sample API
of another stack) is therefore not started a second time, which would fail on its busy port:
this process says so and waits in its place until honcho stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from .launcher import answers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the health URL, the part's name and the command to run."""
    parser = argparse.ArgumentParser(prog="python -m tools.unless_running")
    parser.add_argument("url", help="a URL the server answers with a success status when it runs")
    parser.add_argument("--name", default="server", help="what to call the server in messages")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    args.command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not args.command:
        parser.error("give the command to run after --")
    return args


def main(argv: list[str] | None = None) -> int:
    """Wait in place of a server that already answers, or become the server's process."""
    args = parse_args(argv)
    if answers(args.url):
        # Wait for honcho's SIGTERM (or Ctrl-C), then leave quietly. The handler is in place
        # before the line below: whoever reads it may send SIGTERM at once.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print(f"Using the {args.name} already running ({args.url} answers).", flush=True)
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            return 0
    # Replace this process, so honcho's signals reach the server itself.
    os.execvp(args.command[0], args.command)  # noqa: S606 (the Procfile's own command)
    return 1  # not reached: exec does not return


if __name__ == "__main__":
    sys.exit(main())
