"""Running a tool as a command: ``sys.exit(run_tool(main))``.

A bad input (a malformed or missing file, a damaged checkpoint, an output
that exists) ends the tool with exit code 2 and one line
``error: <file>: <field>: <problem>`` on stderr, as
``tools/eval_posetrack.py`` does, instead of a traceback; Ctrl-C and
SIGTERM end it with 130 / 143 after the partial outputs were removed (see
``utils/output.py``). ``main(argv)`` itself raises, so tests can match the
exception.
"""
import signal
import sys
from typing import Callable, List, Optional

from .output import Terminated

#: exit code of a bad input (argparse uses it for bad arguments too)
EXIT_BAD_INPUT = 2


def user_error_types() -> tuple:
    """Exceptions whose message is meant for the user (it names the file,
    entry and field), not a bug in the tool."""
    from ..apis.video_io import FrameDecodeError

    # CheckpointError (a damaged file, or one that does not fit the model)
    # and PoseTrackFormatError are ValueErrors
    return (OSError, ValueError, FrameDecodeError)


def run_tool(main: Callable[[Optional[List[str]]], int],
             argv: Optional[List[str]] = None) -> int:
    """Run ``main(argv)`` and turn user errors and interrupts into exit
    codes (see the module docstring). Returns the exit code."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print('interrupted (SIGINT): no partial output was left',
              file=sys.stderr)
        return 128 + signal.SIGINT
    except Terminated as e:
        print(f'{e}: no partial output was left', file=sys.stderr)
        return 128 + e.signum
    except user_error_types() as e:
        print(f'error: {e}', file=sys.stderr)
        return EXIT_BAD_INPUT
