"""Running a tool as a command: ``sys.exit(run_tool(main))``.

A bad input (a malformed or missing file, a damaged checkpoint, an output
that exists) ends the tool with exit code 2 and one line
``error: <file>: <field>: <problem>`` on stderr, as
``tools/eval_posetrack.py`` does, instead of a traceback; Ctrl-C and
SIGTERM end it with 130 / 143 after the partial outputs were removed (see
``utils/output.py``). ``main(argv)`` itself raises, so tests can match the
exception.

:func:`int_at_least` and :func:`check_range_pair` check numeric options
where they are parsed (``error: argument --workers: must be >= 1, got 0``,
exit code 2).

:func:`add_runner_args` / :func:`parse_runner_args` give the tools that run
MMEngine's Runner (``tools/train.py``, ``tools/test.py``) MMPose's
``--cfg-options``, ``--launcher`` and ``--local_rank``, and
:func:`set_work_dir` its rule for the work directory.

:func:`add_input`, :func:`add_output` and :func:`add_checkpoint` add a path
option and record its role on the argparse action (``action.path_role``,
``action.path_kind``): what the tool reads, writes or loads as weights.
:func:`path_options` lists them; ``tests/test_tools/test_tool_faults.py``
runs every tool's declared paths against the standard faults (an output
that is, holds or lies inside an input; an existing output without
``--overwrite``; corrupt and truncated JSON; damaged and foreign
checkpoints; SIGINT during the write).

:func:`run_moved_script` keeps a moved script's old path working for one
release (:data:`MOVED_SCRIPTS`): the old file says where the script went,
on stderr, and runs it with the same arguments and exit code.
"""
import argparse
import os
import os.path as osp
import runpy
import signal
import sys
from typing import Callable, List, Optional

from mmengine.config import Config, DictAction

from .output import Terminated

#: exit code of a bad input (argparse uses it for bad arguments too)
EXIT_BAD_INPUT = 2


class UserInputError(Exception):
    """Base of the errors whose message is for the user (it names the
    file, entry and field) that are neither an ``OSError`` nor a
    ``ValueError`` (e.g. ``apis.video_io.FrameDecodeError``)."""


def user_error_types() -> tuple:
    """Exceptions whose message is meant for the user (it names the file,
    entry and field), not a bug in the tool."""
    # CheckpointError (a damaged file, or one that does not fit the model),
    # JSONFileError and PoseTrackFormatError are ValueErrors
    return (OSError, ValueError, UserInputError)


def run_tool(main: Callable[[Optional[List[str]]], int],
             argv: Optional[List[str]] = None,
             interrupted: str = 'no partial output was left') -> int:
    """Run ``main(argv)`` and turn user errors and interrupts into exit
    codes (see the module docstring). Returns the exit code.

    ``interrupted``: what an interrupted run leaves, said after the signal
    (a tool whose outputs are not one committed set, such as the main job's
    resumable folder, says what it keeps and how to go on)."""
    try:
        try:
            return main(argv)
        except Exception as e:
            signal_error = _interrupt_behind(e)
            if signal_error is None:
                raise
            raise signal_error from None
    except KeyboardInterrupt:
        print(f'interrupted (SIGINT): {interrupted}', file=sys.stderr)
        return 128 + signal.SIGINT
    except Terminated as e:
        print(f'{e}: {interrupted}', file=sys.stderr)
        return 128 + e.signum
    except user_error_types() as e:
        print(f'error: {e}', file=sys.stderr)
        return EXIT_BAD_INPUT


def _interrupt_behind(error: BaseException) -> Optional[BaseException]:
    """The ``KeyboardInterrupt`` or ``Terminated`` that ``error`` was raised
    while handling, if any: a library's bare ``except:`` turns Ctrl-C into
    its own error (MMEngine's ``Config.pretty_text``, run at every Runner's
    start, raises a ``SyntaxError``), which must still end as an
    interrupt, not a traceback."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (KeyboardInterrupt, Terminated)):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


#: scripts moved to MMPose's places (old path -> new path, from the
#: repository root); the old path forwards for one release (docs/changelog.md)
MOVED_SCRIPTS = {
    'tools/video_demo.py': 'demo/video_demo.py',
    'tools/count_params.py': 'tools/analysis_tools/count_params.py',
    'tools/benchmark.py': 'tools/analysis_tools/benchmark.py',
    'tools/benchmark_online.py': 'tools/analysis_tools/benchmark_online.py',
}


def run_moved_script(old_file: str) -> None:
    """Run the script that ``old_file`` (a path of :data:`MOVED_SCRIPTS`,
    e.g. ``tools/video_demo.py``'s ``__file__``) moved to, as ``python
    NEW_PATH ARGS`` would, after a deprecation message on stderr naming the
    new path. The new script's ``sys.exit`` ends the process with its exit
    code."""
    old_file = osp.abspath(old_file)
    root = osp.dirname(osp.dirname(old_file))
    old = osp.relpath(old_file, root).replace(os.sep, '/')
    new = MOVED_SCRIPTS[old]
    print(f'DeprecationWarning: {old} has moved to {new}; the old path '
          'forwards to it for one release (docs/changelog.md)',
          file=sys.stderr)
    path = osp.join(root, *new.split('/'))
    # the script's folder on sys.path, as `python NEW_PATH` puts it there
    sys.path[:] = [
        osp.dirname(path) if p and osp.abspath(p) == osp.dirname(old_file)
        else p for p in sys.path
    ]
    sys.argv[0] = path
    runpy.run_path(path, run_name='__main__')


#: the kinds of path an input option names
INPUT_KINDS = (
    'json',  # one JSON file (read with utils.json_file.read_json)
    'json_or_dir',  # a JSON file or a folder of them (per-video files)
    'dir',  # a folder read as a whole (frames, a run, a work dir)
    'file',  # any other file (a config, a video, an XML export)
    'video',  # a video file or a folder of frames
)
#: the kinds of path an output option names
OUTPUT_KINDS = (
    'dir',  # a folder owned as a whole: an OutputSet with names=None
    'file',  # one file: an OutputSet of its folder with names=[file]
    'files_in',  # named files written into a folder that may hold others
    'rewritten',  # a file read and rewritten in place (a document's block)
    'resumable',  # a work folder that is no set (training logs and
                  # checkpoints, the main job's resumable folder)
)


def _add_path(parser, flags, role: str, kind: str, note: str,
              kwargs: dict) -> argparse.Action:
    action = parser.add_argument(*flags, **kwargs)
    action.path_role = role
    action.path_kind = kind
    action.path_note = note
    return action


def add_input(parser, *flags: str, kind: str = 'file', note: str = '',
              **kwargs) -> argparse.Action:
    """``parser.add_argument(*flags, **kwargs)`` for a path the tool reads,
    recorded as ``path_role='input'`` with ``path_kind`` (one of
    :data:`INPUT_KINDS`). ``note`` says what differs from the rule (e.g. an
    input read whole before an output may replace it). ``parser`` may be an
    argument group."""
    if kind not in INPUT_KINDS:
        raise ValueError(f'kind {kind!r} not in {INPUT_KINDS}')
    return _add_path(parser, flags, 'input', kind, note, kwargs)


def add_output(parser, *flags: str, kind: str = 'dir', note: str = '',
               **kwargs) -> argparse.Action:
    """``parser.add_argument(*flags, **kwargs)`` for a path the tool writes,
    recorded as ``path_role='output'`` with ``path_kind`` (one of
    :data:`OUTPUT_KINDS`); ``dir``, ``file`` and ``files_in`` are written
    as one :class:`~.output.OutputSet`."""
    if kind not in OUTPUT_KINDS:
        raise ValueError(f'kind {kind!r} not in {OUTPUT_KINDS}')
    return _add_path(parser, flags, 'output', kind, note, kwargs)


def add_checkpoint(parser, *flags: str, kind: str = 'weights',
                   note: str = '', **kwargs) -> argparse.Action:
    """``parser.add_argument(*flags, **kwargs)`` for a checkpoint the tool
    loads (checked by ``utils.checkpoint`` before use), recorded as
    ``path_role='checkpoint'``; ``kind``: ``'weights'`` (must fit the
    configured model) or ``'training'`` (``--resume``: training state
    too)."""
    return _add_path(parser, flags, 'checkpoint', kind, note, kwargs)


def path_options(parser: argparse.ArgumentParser) -> List[argparse.Action]:
    """The options of ``parser`` added with :func:`add_input`,
    :func:`add_output` or :func:`add_checkpoint`, in order."""
    return [a for a in parser._actions if getattr(a, 'path_role', None)]


def int_at_least(minimum: int, why: str = '') -> Callable[[str], int]:
    """An argparse ``type``: an integer ``>= minimum``; otherwise the parser
    exits with code 2 and ``error: argument --OPTION: must be >= MINIMUM
    (WHY), got VALUE``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'expected an integer, got {text!r}') from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f'must be >= {minimum}{f" ({why})" if why else ""}, got '
                f'{value}')
        return value

    parse.__name__ = f'int >= {minimum}'
    return parse


def float_in(low: float, high: Optional[float] = None,
             low_open: bool = False, why: str = '') -> Callable[[str], float]:
    """An argparse ``type``: a number in ``[low, high]`` (``(low, high]``
    with ``low_open``; no upper end without ``high``); otherwise the parser
    exits with code 2 and ``error: argument --OPTION: must be ...``."""
    bounds = (f'{"(" if low_open else "["}{low:g}, '
              f'{"inf)" if high is None else f"{high:g}]"}')

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'expected a number, got {text!r}') from None
        if (value != value or value < low or (low_open and value == low)
                or (high is not None and value > high)):
            raise argparse.ArgumentTypeError(
                f'must be in {bounds}{f" ({why})" if why else ""}, got '
                f'{text}')
        return value

    parse.__name__ = f'number in {bounds}'
    return parse


def check_range_pair(parser: argparse.ArgumentParser, option: str,
                     pair: Optional[List[int]]) -> None:
    """``option MIN MAX`` (``nargs=2``) must have ``MIN <= MAX``; otherwise
    ``parser.error`` (exit code 2) names the option."""
    if pair is not None and pair[0] > pair[1]:
        parser.error(f'{option} {pair[0]} {pair[1]}: MIN must not exceed '
                     'MAX')


def add_runner_args(parser: argparse.ArgumentParser,
                    cfg_options_example: str) -> None:
    """Add MMPose's ``--cfg-options``, ``--launcher`` and ``--local_rank``
    (``cfg_options_example``, e.g. ``train_cfg.max_epochs=2``, goes into the
    help)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help=f'override config settings, e.g. {cfg_options_example}')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch >= 2.0 passes --local-rank to the script
    parser.add_argument(
        '--local_rank', '--local-rank', type=int_at_least(0), default=0)


def parse_runner_args(parser: argparse.ArgumentParser,
                      argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse ``argv``; a launcher that set no ``LOCAL_RANK`` gets
    ``--local_rank`` there (MMEngine reads the environment)."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def set_work_dir(cfg: Config, work_dir: Optional[str], config: str) -> None:
    """The Runner's work directory: ``work_dir`` (``--work-dir``), else the
    config's own, else ``./work_dirs/<config file name>`` (MMPose's rule)."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
