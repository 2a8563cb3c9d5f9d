"""Every tool in tools/, found by listing the folder (a new tool is covered
without editing this file): ``--help`` works, and a bad command line ends
with argparse's exit code 2 and a usage message, not a traceback. The
faults of each tool's inputs and outputs are tested beside the tool
(tests/test_jobs/, tests/test_tools/, tests/test_utils/test_output_set.py).
"""
import glob
import os.path as osp
import runpy
import sys

import pytest

from .conftest import REPO

TOOLS = sorted(glob.glob(osp.join(REPO, 'tools', '*.py')))


def run(path, args, monkeypatch):
    """Run the tool as ``python path args`` would, in this process."""
    monkeypatch.setattr(sys, 'argv', [path, *args])
    monkeypatch.syspath_prepend(osp.dirname(path))
    with pytest.raises(SystemExit) as info:
        runpy.run_path(path, run_name='__main__')
    return info.value.code


def test_the_tools_are_found():
    names = {osp.basename(p) for p in TOOLS}
    assert {'run_sparse_benchmark.py', 'propagate_labels.py', 'train.py',
            'video_demo.py'} <= names


@pytest.mark.parametrize('path', TOOLS, ids=osp.basename)
def test_help(path, monkeypatch, capsys):
    assert run(path, ['--help'], monkeypatch) in (0, None)
    assert 'usage:' in capsys.readouterr().out


@pytest.mark.parametrize('path', TOOLS, ids=osp.basename)
def test_an_unknown_option_is_a_usage_error(path, monkeypatch, capsys):
    assert run(path, ['--no-such-option'], monkeypatch) == 2
    err = capsys.readouterr().err
    assert 'usage:' in err and 'Traceback' not in err
