"""`python -m tei_tools` and the `tei-tools` script.

The command line is imported here, inside a guard: Ctrl-C in the tenth of a second the
imports take (a reader pressing it at once) ends the command with 130 and no traceback.
"""
import sys


def launch() -> None:
    try:
        from tei_tools.cli import run
    except KeyboardInterrupt:
        sys.exit(130)  # nothing was done yet; the shell shows the ^C
    run()


if __name__ == "__main__":
    launch()
