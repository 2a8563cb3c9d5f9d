"""Packaging entry point; metadata lives in setup.cfg.

Like MMPose's own setup.py, it exposes the repository's ``configs/``,
``tools/`` and ``demo/`` inside the package as ``mmpose_posewarper/.mim``
(symlinks for an editable install, copies for a wheel), which is where
``mim train`` / ``mim test`` look for them.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import setup

MIM_DIRS = ('configs', 'tools', 'demo')


def add_mim_extension() -> None:
    editable = any(cmd in sys.argv for cmd in (
        'develop', 'editable_wheel')) or 'dist_info' in sys.argv
    root = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(root, 'mmpose_posewarper', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_DIRS:
        src, dst = osp.join(root, name), osp.join(mim_root, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if editable:
            os.symlink(osp.relpath(src, mim_root), dst)
        else:
            shutil.copytree(src, dst)


add_mim_extension()
setup()
