"""tools/generate_synthetic_posetrack.py checks its numeric options where it
parses them: exit code 2 and a message naming the option, before anything is
generated (the tool's runs themselves:
tests/test_projects/test_synthetic/test_cli.py)."""
import pytest

from .conftest import import_tool


@pytest.fixture(scope='module')
def tool():
    return import_tool('generate_synthetic_posetrack')


@pytest.mark.parametrize('args, message', [
    (['--frames', '10', '3'], '--frames 10 3: MIN must not exceed MAX'),
    (['--frames', '0', '0'], 'argument --frames: must be >= 1'),
    (['--frames', 'x', '3'], "argument --frames: expected an integer, got 'x'"),
    (['--pretrain-frames', '2', '1'], '--pretrain-frames 2 1: MIN must not exceed MAX'),
    (['--pretrain-frames', '0', '1'], 'argument --pretrain-frames: must be >= 1'),
    (['--size', '0', '0'], 'argument --size: must be >= 32 (the smallest frame rendered is '
     '32x32), got 0'),
    (['--size', '64', '31'], 'argument --size: must be >= 32'),
    (['--train-videos', '-1'], 'argument --train-videos: must be >= 0, got -1'),
    (['--val-videos', '-2'], 'argument --val-videos: must be >= 0, got -2'),
    (['--pretrain-videos', '-1'], 'argument --pretrain-videos: must be >= 0'),
    (['--train-videos', '0', '--val-videos', '0'],
     '--train-videos, --val-videos and --pretrain-videos are all 0: nothing to generate'),
    (['--quick', '--train-videos', '0', '--val-videos', '0', '--pretrain-videos', '0'],
     '--train-videos, --val-videos and --pretrain-videos are all 0: nothing to generate'),
    (['--workers', '0'], 'argument --workers: must be >= 1, got 0'),
    (['--seed', '-1'], 'argument --seed: must be >= 0, got -1'),
    (['--val-videos', '0', '--contact-sheet'],
     '--contact-sheet draws the first val video, but --val-videos is 0'),
])
def test_bad_numbers_are_refused_naming_the_option(tool, tmp_path, capsys, args, message):
    out = tmp_path / 'syn'
    with pytest.raises(SystemExit) as info:
        tool.main(['--out', str(out), *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f'error: {message}' in err, err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_documented_option_sets_still_parse(tool, tmp_path):
    """The commands of the docs and configs (no data generated here)."""
    for args in (['--quick'],
                 ['--train-videos', '0', '--pretrain-videos', '3000', '--workers', '2'],
                 ['--train-videos', '0', '--val-videos', '1', '--frames', '2000', '2000',
                  '--size', '128', '96'],
                 ['--quick', '--train-videos', '1', '--val-videos', '1', '--frames', '8', '8',
                  '--contact-sheet'],
                 ['--pretrain-videos', '5', '--pretrain-frames', '1', '1', '--size', '32',
                  '32']):
        config = tool.build_config(tool.parse_args(['--out', str(tmp_path), *args]))
        assert config.num_train_videos + config.num_val_videos + \
            config.num_pretrain_videos > 0


def test_look_reaches_the_config(tool, tmp_path):
    """--look stills images the train and val videos as the pretraining
    stills (how the pretraining's val videos were made); the default is the
    videos' own look."""
    out = str(tmp_path / 'syn')
    assert tool.build_config(tool.parse_args(['--out', out])).look == 'video'
    assert tool.build_config(tool.parse_args(
        ['--out', out, '--look', 'stills'])).look == 'stills'
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', out, '--look', 'film'])


def test_wardrobe_reaches_the_config(tool, tmp_path):
    """--wardrobe stills dresses the train and val videos' people as the
    stills' (the videos before the suits); the default is suits."""
    out = str(tmp_path / 'syn')
    assert tool.build_config(tool.parse_args(['--out', out])).wardrobe == \
        'suits'
    assert tool.build_config(tool.parse_args(
        ['--out', out, '--wardrobe', 'stills'])).wardrobe == 'stills'
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', out, '--wardrobe', 'tuxedo'])
