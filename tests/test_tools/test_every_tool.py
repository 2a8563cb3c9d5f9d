"""Every script in tools/, tools/analysis_tools/ and demo/, found by
listing the folders (a new tool is covered without editing this file):
``--help`` works, and a bad command line ends with argparse's exit code 2
and a usage message, not a traceback. The deprecated forwarders of moved
scripts (``utils.cli.MOVED_SCRIPTS``) do the same, after a deprecation
message naming the new path, with the new script's exit code. The faults
of each tool's inputs and outputs are tested beside the tool
(tests/test_tools/, tests/test_utils/test_output_set.py).
"""
import os
import os.path as osp
import runpy
import subprocess
import sys

import pytest

from mmpose_posewarper.utils import cli
from mmpose_posewarper.utils.cli import MOVED_SCRIPTS

from .conftest import PYTHON, REPO, SCRIPTS


def run(script, args, monkeypatch):
    """Run the script (a path from the repository root) as ``python script
    args`` would, in this process; returns its exit code."""
    path = osp.join(REPO, script)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    monkeypatch.syspath_prepend(osp.dirname(path))
    with pytest.raises(SystemExit) as info:
        runpy.run_path(path, run_name='__main__')
    return info.value.code


def deprecation(old):
    return f'DeprecationWarning: {old} has moved to {MOVED_SCRIPTS[old]}'


def test_the_tools_are_found():
    assert {'tools/run_sparse_benchmark.py', 'tools/propagate_labels.py',
            'tools/train.py', 'demo/video_demo.py',
            'tools/analysis_tools/benchmark.py',
            'tools/analysis_tools/benchmark_online.py',
            'tools/analysis_tools/count_params.py'} <= set(SCRIPTS)
    # the moved scripts' old paths still exist, as forwarders
    assert set(MOVED_SCRIPTS) <= set(SCRIPTS)
    assert set(MOVED_SCRIPTS.values()) <= set(SCRIPTS)


@pytest.mark.parametrize('script', SCRIPTS)
def test_help(script, monkeypatch, capsys):
    assert run(script, ['--help'], monkeypatch) in (0, None)
    assert 'usage:' in capsys.readouterr().out


@pytest.mark.parametrize('script', SCRIPTS)
def test_an_unknown_option_is_a_usage_error(script, monkeypatch, capsys):
    assert run(script, ['--no-such-option'], monkeypatch) == 2
    err = capsys.readouterr().err
    assert 'usage:' in err and 'Traceback' not in err


@pytest.mark.parametrize('old', sorted(MOVED_SCRIPTS))
@pytest.mark.parametrize('args', [['--help'], ['--no-such-option']],
                         ids=['help', 'usage-error'])
def test_a_moved_script_forwards_and_warns(old, args, monkeypatch, capsys):
    """The old path prints the deprecation (naming the new path) on stderr,
    then does what the new script does: same output, same exit code."""
    new_code = run(MOVED_SCRIPTS[old], args, monkeypatch)
    new = capsys.readouterr()
    assert deprecation(old) not in new.err
    old_code = run(old, args, monkeypatch)
    forwarded = capsys.readouterr()
    assert old_code == new_code
    assert forwarded.out == new.out
    assert forwarded.err.startswith(deprecation(old))
    if old_code:  # argparse's error line ends both
        assert forwarded.err.strip().split('\n')[-1] == \
            new.err.strip().split('\n')[-1]


def test_a_forwarder_passes_on_any_exit_code(tmp_path, monkeypatch, capsys):
    """A forwarder ends with its new script's exit code, whatever it is,
    and hands it its arguments."""
    forwarder = tmp_path / 'tools' / 'old_tool.py'
    forwarder.parent.mkdir()
    with open(osp.join(REPO, 'tools', 'count_params.py')) as f:
        forwarder.write_text(f.read())  # a forwarder, as shipped
    new = tmp_path / 'elsewhere' / 'new_tool.py'
    new.parent.mkdir()
    new.write_text('import sys\nprint(sys.argv[1:])\nsys.exit(7)\n')
    monkeypatch.setitem(cli.MOVED_SCRIPTS, 'tools/old_tool.py',
                        'elsewhere/new_tool.py')
    monkeypatch.setattr(sys, 'argv', [str(forwarder), 'a', '--b'])
    monkeypatch.syspath_prepend(str(forwarder.parent))  # restored after
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(forwarder), run_name='__main__')
    assert info.value.code == 7
    out, err = capsys.readouterr()
    assert out == "['a', '--b']\n"
    assert 'tools/old_tool.py has moved to elsewhere/new_tool.py' in err


def test_a_forwarder_as_a_process(tmp_path):
    """``python tools/count_params.py`` (the old path) exits with the new
    script's code: 2 for a missing config, its error on stderr."""
    missing = str(tmp_path / 'no_config.py')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p]))
    old, new = (subprocess.run([PYTHON, script, missing], cwd=REPO, env=env,
                               capture_output=True, text=True)
                for script in ('tools/count_params.py',
                               'tools/analysis_tools/count_params.py'))
    assert old.returncode == new.returncode == 2
    # (after any warning the imports print)
    assert deprecation('tools/count_params.py') in old.stderr
    assert missing in old.stderr and missing in new.stderr
