"""tools/setup_env.sh stops early, saying what is wrong and what to do."""
import os
import os.path as osp
import shutil
import subprocess
import sys

from .conftest import REPO

SCRIPT = osp.join(REPO, 'tools', 'setup_env.sh')


def _run(env_overrides, tmp_path):
    env = dict(os.environ, POSEWARPER_VENV=str(tmp_path / 'venv'),
               POSEWARPER_CACHE=str(tmp_path / 'cache'), **env_overrides)
    return subprocess.run(['bash', SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)


def test_unsupported_python(tmp_path):
    fake = tmp_path / 'python3.12'
    fake.write_text('#!/bin/sh\necho 3.12\n')
    fake.chmod(0o755)
    proc = _run({'PYTHON': str(fake)}, tmp_path)
    assert proc.returncode != 0
    assert 'Python 3.12 is not supported' in proc.stderr
    assert 'PYTHON=' in proc.stderr
    assert not (tmp_path / 'venv').exists()


def test_missing_compiler(tmp_path):
    # a PATH with the script's tools and Python but no C++ compiler
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for tool in ('bash', 'cat', 'sha256sum', 'cut', 'grep', 'head', 'dirname',
                 'uname', 'ls', 'env'):
        os.symlink(shutil.which(tool), bin_dir / tool)
    os.symlink(sys.executable, bin_dir / 'python3')
    proc = _run({'PATH': str(bin_dir)}, tmp_path)
    assert proc.returncode != 0
    assert 'no C++ compiler (g++) found' in proc.stderr
    assert 'apt-get install g++' in proc.stderr
