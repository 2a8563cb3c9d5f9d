"""tools/propagate_labels.py never writes a wrong label or a partial
output set: unusable boxes, existing outputs, bad inputs found early,
write failures and real SIGINT / SIGTERM."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video
from mmpose_posewarper.utils.output import OutputExistsError

from _helpers.jobs import (REPO, TINY_POSEWARPER, env_with_repo, import_tool,
                           start_until, write_tiny_video)

propagate_tool = import_tool('propagate_labels')


def argv(video, ckpt, out_dir, *extra):
    return [
        str(TINY_POSEWARPER),
        str(ckpt), '--ann-dir',
        str(video['sparse_dir']), '--img-root',
        str(video['img_root']), '--out-dir',
        str(out_dir), '--device', 'cpu', *map(str, extra)
    ]


def listing(folder):
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, folder)] = None if name in dirs else \
                open(path, 'rb').read()
    return out


def set_box(sparse_file, track_id, bbox):
    data = json.loads(sparse_file.read_text())
    for ann in data['annotations']:
        if ann['track_id'] == track_id:
            ann['bbox'] = bbox
    sparse_file.write_text(json.dumps(data))


@pytest.fixture
def log_messages():
    """Messages of MMEngine's current logger (``print_log``) during a test."""
    import logging

    from mmengine.logging import MMLogger
    messages = []

    class Collect(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = Collect()
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


# ------------------------------------------------------------- box rule
@pytest.mark.parametrize('bbox, problem', [
    ([5000, 5000, 40, 60], 'lies outside the 128x96 image'),
    ([10, 10, 0, 60], 'has zero or negative size'),
    ([60, 50, -40, -30], 'has zero or negative size'),
])
def test_person_with_unusable_box_is_skipped_counted_and_listed(
        tmp_path, identity_posewarper, log_messages, bbox, problem):
    video = write_tiny_video(tmp_path / 'data', nframes=5, labeled=(2, ))
    set_box(video['sparse_file'], 1, bbox)
    out = tmp_path / 'out'
    assert propagate_tool.main(argv(video, identity_posewarper, out)) == 0

    res = load_posetrack_video(str(out / 'annotations' /
                                   video['sparse_file'].name))
    # only the person with a usable box is propagated, to 4 frames
    assert {a['track_id'] for a in res['annotations']} == {0}
    assert len(res['annotations']) == 4
    coco = json.loads((out / 'posetrack18_propagated.json').read_text())
    assert {a['track_id'] for a in coco['annotations']} == {0}
    manual = json.loads((out / 'posetrack18_manual.json').read_text())
    assert {a['track_id'] for a in manual['annotations']} == {0}
    skipped = json.loads((out / 'skipped_people.json').read_text())
    assert len(skipped) == 1  # one person, listed once
    assert skipped[0]['video'] == '000001_mpii_test'
    assert skipped[0]['frame'] == 2 and skipped[0]['track_id'] == 1
    assert problem in skipped[0]['problem']
    printed = '\n'.join(log_messages)
    assert '1 people were skipped' in printed
    assert f'(track 1): bbox [{", ".join(f"{v:g}" for v in bbox)}] ' \
        f'{problem}' in printed


def test_no_skipped_people_gives_an_empty_list(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    assert propagate_tool.main(
        argv(video, identity_posewarper, tmp_path / 'out')) == 0
    assert json.loads(
        (tmp_path / 'out' / 'skipped_people.json').read_text()) == []


# -------------------------------------------------------- existing output
def test_non_empty_out_dir_is_refused_then_replaced_as_a_whole(
        tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    out = tmp_path / 'out'
    (out / 'annotations').mkdir(parents=True)
    (out / 'annotations' / 'other_run_video.json').write_text('{}')
    (out / 'posetrack18_propagated.json').write_text('earlier')
    before = listing(out)
    with pytest.raises(OutputExistsError,
                       match=r'--out-dir .*out: exists and is not empty.*'
                       r'--overwrite'):
        propagate_tool.main(argv(video, identity_posewarper, out))
    assert listing(out) == before
    assert propagate_tool.main(
        argv(video, identity_posewarper, out, '--overwrite')) == 0
    assert sorted(os.listdir(out / 'annotations')) == [
        '000001_mpii_test.json'
    ]  # the stale file of the other run is gone
    assert (out / 'posetrack18_propagated.json').read_text() != 'earlier'


def test_overwrite_never_deletes_an_input(tmp_path, identity_posewarper):
    # --out-dir is the folder holding the images and annotations
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    before = listing(tmp_path / 'data')
    with pytest.raises(ValueError, match='would overwrite or delete the '
                       'input'):
        propagate_tool.main(
            argv(video, identity_posewarper, tmp_path / 'data',
                 '--overwrite'))
    assert listing(tmp_path / 'data') == before


@pytest.mark.parametrize('inside', ['images', 'images/val'])
def test_an_output_inside_what_is_read_is_refused(tmp_path,
                                                  identity_posewarper,
                                                  inside):
    """--out-dir inside --img-root (R/images holds every frame the run
    reads) is refused even with --overwrite; the frames stay."""
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    before = listing(tmp_path / 'data')
    with pytest.raises(ValueError, match='input'):
        propagate_tool.main(
            argv(video, identity_posewarper, video['img_root'] / inside,
                 '--overwrite'))
    assert listing(tmp_path / 'data') == before


def test_frames_read_through_a_link_are_inputs(tmp_path, identity_posewarper):
    """An --img-root whose frames are links into another folder: an
    --out-dir replacing that folder is refused (real paths are compared)."""
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    frames = video['img_root'] / 'images'
    linked = tmp_path / 'linked'
    linked.mkdir()
    (linked / 'images').symlink_to(frames)
    before = listing(tmp_path / 'data')
    args = argv(video, identity_posewarper, frames, '--overwrite')
    args[args.index('--img-root') + 1] = str(linked)
    with pytest.raises(ValueError, match='input'):
        propagate_tool.main(args)
    assert listing(tmp_path / 'data') == before


# ----------------------------------------------- inputs checked up front
def test_bad_eval_dir_is_found_before_the_model_is_loaded(tmp_path):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    # no checkpoint at all: the eval problem must be reported first
    missing_ckpt = tmp_path / 'never_read.pth'
    with pytest.raises(NotADirectoryError, match='nope: not a directory'):
        propagate_tool.main(
            argv(video, missing_ckpt, tmp_path / 'out', '--eval',
                 tmp_path / 'nope'))
    other = tmp_path / 'gt'
    write_tiny_video(other, name='000002_mpii_test', nframes=3)
    with pytest.raises(FileNotFoundError,
                       match=r"--eval .*no ground truth for the videos "
                       r"\['000001_mpii_test'\]"):
        propagate_tool.main(
            argv(video, missing_ckpt, tmp_path / 'out', '--eval',
                 other / 'dense'))
    assert not (tmp_path / 'out').exists()


def test_unwritable_out_dir_is_found_before_the_propagation(
        tmp_path, identity_posewarper, monkeypatch):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    (tmp_path / 'a_file').write_text('x')

    def never(*args, **kwargs):
        raise AssertionError('propagation started')

    monkeypatch.setattr(propagate_tool, 'propagate_video', never)
    with pytest.raises(OSError, match=r'--out-dir .*a_file/out: cannot'):
        propagate_tool.main(
            argv(video, identity_posewarper, tmp_path / 'a_file' / 'out'))


def test_damaged_checkpoint_is_refused(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    bad = tmp_path / 'bad.pth'
    data = bytearray(identity_posewarper.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 2000] = bytes(b ^ 0xFF for b in data[mid:mid + 2000])
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError,
                       match=r'bad.pth: (the zip archive is )?corrupted'):
        propagate_tool.main(argv(video, bad, tmp_path / 'out'))
    assert not (tmp_path / 'out').exists()


# --------------------------------------------------- failures and signals
def test_failure_writing_the_second_video_leaves_nothing(
        tmp_path, identity_posewarper, monkeypatch):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    write_tiny_video(
        tmp_path / 'data', name='000002_mpii_test', nframes=3, labeled=(1, ))
    calls = []
    real = propagate_tool.write_posetrack_video

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, 'No space left on device')
        real(path, data)

    monkeypatch.setattr(propagate_tool, 'write_posetrack_video', failing)
    with pytest.raises(OSError, match='No space left'):
        propagate_tool.main(argv(video, identity_posewarper, tmp_path / 'out'))
    assert len(calls) == 2
    assert sorted(os.listdir(tmp_path)) == ['data']  # no output, no temp


def test_bad_input_exits_2_with_file_and_field(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    data = json.loads(video['sparse_file'].read_text())
    data['annotations'][0]['bbox'] = [1, 'high', 3, 4]
    video['sparse_file'].write_text(json.dumps(data))
    proc = subprocess.run(
        [sys.executable, 'tools/propagate_labels.py',
         *argv(video, identity_posewarper, tmp_path / 'out')],
        cwd=REPO, env=dict(env_with_repo(), OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: {video['sparse_file']}: annotations[0].bbox[1]: expected a "
        "number, got 'high'")


# The tool run by a wrapper that pauses after the first per-video file is
# written into the staging folder, so the signal arrives while writing.
SLOW_TOOL = textwrap.dedent('''
    import importlib.util, sys, time
    spec = importlib.util.spec_from_file_location(
        'propagate_labels', sys.argv[1])
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    real = tool.write_posetrack_video

    def slow(path, video):
        real(path, video)
        print('WROTE', path, flush=True)
        time.sleep(120)

    tool.write_posetrack_video = slow
    from mmpose_posewarper.utils.cli import run_tool
    sys.exit(run_tool(tool.main, sys.argv[2:]))
''')


@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_real_interrupt_while_writing_leaves_the_output_as_before(
        tmp_path, identity_posewarper, sig):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    write_tiny_video(
        tmp_path / 'data', name='000002_mpii_test', nframes=3, labeled=(1, ))
    work = tmp_path / 'work'
    out = work / 'out'
    out.mkdir(parents=True)
    (out / 'earlier.json').write_text('earlier run')
    before = listing(work)
    script = tmp_path / 'slow_tool.py'
    script.write_text(SLOW_TOOL)
    proc, line = start_until([
        str(script),
        str(REPO / 'tools' / 'propagate_labels.py'),
        *argv(video, identity_posewarper, out, '--overwrite')
    ], 'WROTE')
    assert '.staging-' in line  # written, but only in the staging folder
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err[-3000:]
    assert listing(work) == before


def test_missing_frames_are_found_before_the_model_is_loaded(tmp_path):
    video = write_tiny_video(tmp_path / 'data', nframes=5, labeled=(2, ))
    (video['frame_dir'] / '000004.jpg').unlink()
    never = tmp_path / 'never_read.pth'
    with pytest.raises(FileNotFoundError,
                       match=r'000004.jpg \(frame 4\) does not exist \(video '
                       r'000001_mpii_test\) \(1 of the 5 frames to read are '
                       r'missing\)'):
        propagate_tool.main(argv(video, never, tmp_path / 'out'))
    video['img_root'] = tmp_path / 'wrong'
    with pytest.raises(FileNotFoundError,
                       match=r'\(5 of the 5 frames to read are missing, is '
                       r'--img-root right\?\)'):
        propagate_tool.main(argv(video, never, tmp_path / 'out'))
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('option', [['--batch-size', '0'], ['--k', '0']])
def test_bad_numbers_are_argument_errors(tmp_path, capsys, option):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    with pytest.raises(SystemExit) as info:
        propagate_tool.main(
            argv(video, tmp_path / 'never_read.pth', tmp_path / 'out',
                 *option))
    assert info.value.code == 2
    assert (f'argument {option[0]}: must be >= 1, got 0'
            in capsys.readouterr().err)
