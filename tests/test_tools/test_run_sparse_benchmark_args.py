"""tools/run_sparse_benchmark.py refuses, where it parses them, options
that would fail later or be ignored: exit code 2 and a message naming the
option (more usage errors: tests/test_sparse_benchmark/test_cli.py)."""
import pytest

from .conftest import import_tool


@pytest.fixture(scope='module')
def tool():
    return import_tool('run_sparse_benchmark')


@pytest.mark.parametrize('args, message', [
    # a bare "invalid literal for int()" named neither option nor stage
    (['--iters', 'single_frame=x'],
     '--iters: single_frame=x: expected an integer number of iterations'),
    (['--iters', 'single_frame=0'],
     '--iters: single_frame=0: a stage trains >= 1 iteration'),
    # --quality names each point's initialisation: these were ignored
    (['--quality', 'none', '--pretrained', 'x.pth'],
     '--pretrained and --from-scratch do not apply to it'),
    (['--quality', 'none', '--from-scratch'],
     '--pretrained and --from-scratch do not apply to it'),
])
def test_a_usage_error_names_the_option(tool, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        tool.parse_args(['--out', str(tmp_path / 'run'), *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'run').exists()
