"""OutputSet (utils/output.py): a tool's outputs appear all together or not
at all, also on Ctrl-C, SIGTERM and SIGKILL."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mmpose_posewarper.utils.output import (OutputConflictError,
                                            OutputExistsError, OutputSet,
                                            remove_stale_staging)


def listing(folder):
    """Every path below ``folder`` with its content (the folder's state)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), folder)] = None
        for f in files:
            path = os.path.join(root, f)
            with open(path, 'rb') as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out


# ------------------------------------------------------------ folder mode
def test_folder_appears_only_when_complete(tmp_path):
    dest = tmp_path / 'out'
    with OutputSet(str(dest)) as out:
        os.makedirs(out.path('annotations'))
        with open(out.path('annotations', 'a.json'), 'w') as f:
            f.write('1')
        assert not dest.exists()  # nothing visible while writing
    assert listing(tmp_path) == {'out': None, 'out/annotations': None,
                                 'out/annotations/a.json': b'1'}


def test_error_leaves_nothing(tmp_path):
    dest = tmp_path / 'new' / 'out'
    with pytest.raises(RuntimeError, match='second video'):
        with OutputSet(str(dest)) as out:
            with open(out.path('a.json'), 'w') as f:
                f.write('1')
            raise RuntimeError('cannot write the second video')
    # the folders it made are gone too
    assert listing(tmp_path) == {}


def test_non_empty_folder_refused_unless_overwrite(tmp_path):
    dest = tmp_path / 'out'
    (dest / 'annotations').mkdir(parents=True)
    (dest / 'annotations' / 'stale_video.json').write_text('old')
    (dest / 'posetrack18_propagated.json').write_text('old')
    with pytest.raises(OutputExistsError,
                       match=r'out: exists and is not empty.*--overwrite'):
        OutputSet(str(dest), option='--out-dir')
    # an error with --overwrite: the old output stays as it was
    before = listing(tmp_path)
    with pytest.raises(ValueError):
        with OutputSet(str(dest), overwrite=True) as out:
            (open(out.path('posetrack18_propagated.json'), 'w')).close()
            raise ValueError('boom')
    assert listing(tmp_path) == before
    # --overwrite replaces it as a whole: no stale file of the earlier run
    with OutputSet(str(dest), overwrite=True) as out:
        with open(out.path('posetrack18_propagated.json'), 'w') as f:
            f.write('new')
    assert listing(tmp_path) == {'out': None,
                                 'out/posetrack18_propagated.json': b'new'}


def test_empty_folder_is_used(tmp_path):
    (tmp_path / 'out').mkdir()
    with OutputSet(str(tmp_path / 'out')) as out:
        open(out.path('x'), 'w').close()
    assert listing(tmp_path) == {'out': None, 'out/x': b''}


def test_output_holding_an_input_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / 'data' / 'images').mkdir(parents=True)
    with pytest.raises(OutputConflictError,
                       match=r'would overwrite or delete the input .*images'):
        OutputSet(str(tmp_path / 'data'), overwrite=True,
                  inputs=[str(tmp_path / 'data' / 'images')])
    assert (tmp_path / 'data' / 'images').is_dir()


def test_unwritable_location_found_at_enter(tmp_path):
    (tmp_path / 'a_file').write_text('x')
    out = OutputSet(str(tmp_path / 'a_file' / 'out'), option='--out-dir')
    with pytest.raises(OSError, match=r'--out-dir .*a_file/out: cannot'):
        with out:
            pass


# ------------------------------------------------------------- files mode
def test_named_files_leave_other_files_alone(tmp_path):
    (tmp_path / 'other.mp4').write_text('keep')
    with OutputSet(str(tmp_path), names=['v.mp4', 'v.json']) as out:
        for name in ('v.mp4', 'v.json'):
            with open(out.path(name), 'w') as f:
                f.write(name)
    assert listing(tmp_path) == {'other.mp4': b'keep', 'v.mp4': b'v.mp4',
                                 'v.json': b'v.json'}
    with pytest.raises(OutputExistsError, match=r'v.mp4: exists.*--overwrite'):
        OutputSet(str(tmp_path), names=['v.mp4', 'v.json'])
    (tmp_path / 'd.pth').mkdir()
    with pytest.raises(OutputExistsError, match='d.pth: is a directory'):
        OutputSet(str(tmp_path), names=['d.pth'], overwrite=True)


def test_in_equal_out_is_refused_before_the_overwrite_question(tmp_path):
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'weights')
    for overwrite in (False, True):
        with pytest.raises(OutputConflictError, match='the input'):
            OutputSet(str(tmp_path), names=['x.pth'], overwrite=overwrite,
                      inputs=[str(ckpt)])
    assert ckpt.read_bytes() == b'weights'


# -------------------------------------------------- real signals, SIGKILL
WRITER = textwrap.dedent('''
    import sys, time
    from mmpose_posewarper.utils.output import OutputSet
    from mmpose_posewarper.utils.cli import run_tool

    def main(argv):
        dest, overwrite = sys.argv[1], sys.argv[2] == '1'
        with OutputSet(dest, overwrite=overwrite) as out:
            for i in range(12):
                with open(out.path(f'video{i}.json'), 'w') as f:
                    f.write('x' * 1000)
                if i == 3:
                    print('WRITING', flush=True)
                    if sys.argv[3] == '1':
                        wait_in_bare_except()
                    time.sleep(120)
        return 0

    def wait_in_bare_except():
        # what MMEngine's Config.pretty_text does around its formatting
        try:
            time.sleep(120)
        except:  # noqa: E722
            raise SyntaxError('Failed to format the config file')

    sys.exit(run_tool(main))
''')


def default_sigint():
    # a shell running the tests in the background ignores SIGINT, and the
    # child would inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_writer(tmp_path, dest, overwrite, bare_except=False):
    """``bare_except``: the signal arrives inside a library's bare
    ``except:``, which raises its own error instead."""
    script = tmp_path / 'writer.py'
    script.write_text(WRITER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(dest), '1' if overwrite else '0',
         '1' if bare_except else '0'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, OMP_NUM_THREADS='1'),
        preexec_fn=default_sigint)
    line = proc.stdout.readline()
    assert line.strip() == 'WRITING', proc.stderr.read()
    return proc


@pytest.mark.parametrize('bare_except', [False, True],
                         ids=['plain', 'in-bare-except'])
@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_signal_while_writing_leaves_the_folder_as_before(tmp_path, sig,
                                                          bare_except):
    """Also when the signal arrives inside a library's bare ``except:``
    that raises its own error (MMEngine's Config.pretty_text at a Runner's
    start): still an interrupt (130 / 143, the message), no traceback."""
    root = tmp_path / 'work'
    dest = root / 'out'
    dest.mkdir(parents=True)
    (dest / 'earlier_run.json').write_text('earlier')
    before = listing(root)
    proc = start_writer(tmp_path, dest, overwrite=True,
                        bare_except=bare_except)
    # 4 of 12 files are written in the staging folder now
    assert any('.staging-' in n for n in os.listdir(root))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert 'no partial output was left' in err
    assert 'Traceback' not in err, err
    assert listing(root) == before  # earlier output intact, no temp files


def test_sigkill_leftover_is_removed_by_the_next_run(tmp_path):
    root = tmp_path / 'work'
    root.mkdir()
    proc = start_writer(tmp_path, root / 'out', overwrite=False)
    proc.kill()
    proc.wait(timeout=60)
    stale = [n for n in os.listdir(root) if '.staging-' in n]
    assert len(stale) == 1 and not (root / 'out').exists()
    with OutputSet(str(root / 'out')) as out:
        open(out.path('a.json'), 'w').close()
    assert sorted(os.listdir(root)) == ['out']
    # a process that still runs keeps its staging folder
    live = root / f'.x.staging-{os.getpid()}-abc'
    live.mkdir()
    assert remove_stale_staging(str(root)) == []
    assert live.is_dir()


@pytest.mark.parametrize('umask', [0o022, 0o077])
def test_outputs_get_the_umask_permissions(tmp_path, umask):
    """The committed folder and atomically written files get what mkdir and
    open() give under the umask (tempfile's are private: 0700 / 0600), so
    a teammate can read labels propagated for them."""
    import stat

    from mmpose_posewarper.utils.atomic_file import (atomic_write,
                                                     write_json_atomic)
    old = os.umask(umask)
    try:
        with OutputSet(str(tmp_path / 'out')) as out:
            write_json_atomic(out.path('labels.json'), {'a': 1})
        with atomic_write(str(tmp_path / 'note.txt')) as f:
            f.write('x')
    finally:
        os.umask(old)

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(tmp_path / 'out') == 0o777 & ~umask
    assert mode(tmp_path / 'out' / 'labels.json') == 0o666 & ~umask
    assert mode(tmp_path / 'note.txt') == 0o666 & ~umask
    # nothing left behind: only the outputs
    assert sorted(os.listdir(tmp_path)) == ['note.txt', 'out']


def test_atomic_write_error_keeps_the_old_file(tmp_path):
    from mmpose_posewarper.utils.atomic_file import atomic_write
    path = tmp_path / 'a.json'
    path.write_text('old')
    with pytest.raises(RuntimeError):
        with atomic_write(str(path)) as f:
            f.write('new, half')
            raise RuntimeError('disk full')
    assert path.read_text() == 'old'
    assert os.listdir(tmp_path) == ['a.json']
