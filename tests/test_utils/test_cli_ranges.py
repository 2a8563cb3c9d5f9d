"""Numeric option types: a value outside the range is argparse's usage
error naming the option and the range."""
import argparse
import re

import pytest

from mmpose_posewarper.utils.cli import float_in, int_at_least


def parser():
    p = argparse.ArgumentParser(prog='tool')
    p.add_argument('--thr', type=float_in(0, 1))
    p.add_argument('--fps', type=float_in(0, low_open=True))
    p.add_argument('--n', type=int_at_least(1))
    return p


@pytest.mark.parametrize('argv,value', [
    (['--thr', '0'], 0.0), (['--thr', '1'], 1.0), (['--thr', '0.25'], 0.25),
    (['--fps', '1e-3'], 1e-3), (['--fps', '1e6'], 1e6), (['--n', '1'], 1)])
def test_values_in_range(argv, value):
    assert getattr(parser().parse_args(argv), argv[0][2:]) == value


@pytest.mark.parametrize('argv,message', [
    (['--thr', '1.5'], r'--thr: must be in \[0, 1\], got 1.5'),
    (['--thr', '-0.1'], r'--thr: must be in \[0, 1\]'),
    (['--thr', 'nan'], r'--thr: must be in \[0, 1\], got nan'),
    (['--thr', 'x'], r"--thr: expected a number, got 'x'"),
    (['--fps', '0'], r'--fps: must be in \(0, inf\), got 0'),
    (['--n', '0'], r'--n: must be >= 1, got 0')])
def test_values_out_of_range_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        parser().parse_args(argv)
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)
