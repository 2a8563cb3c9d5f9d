"""Checks that the installed stack is one this project runs on, with messages
that say what is wrong and what to do."""
import sys
from typing import Optional, Tuple

#: The versions tools/setup_env.sh installs (requirements/pinned.txt).
SUPPORTED_PYTHON = (3, 11)
MIN_TORCH = (2, 0)
MMCV_RANGE = ((2, 0, 0), (2, 2, 0))  # mmdet 3.3.0 asserts mmcv < 2.2.0

FIX = 'Run `bash tools/setup_env.sh`, which builds a working .venv/.'


class EnvironmentProblem(RuntimeError):
    """The installed packages cannot run mmpose-posewarper."""


def _version_tuple(version: str) -> Tuple[int, ...]:
    parts = []
    for piece in version.split('+')[0].split('.')[:3]:
        digits = ''.join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_python(version_info: Optional[Tuple[int, int]] = None) -> None:
    """Raise unless Python is the supported minor version."""
    major_minor = tuple(version_info or sys.version_info[:2])
    if major_minor != SUPPORTED_PYTHON:
        raise EnvironmentProblem(
            f'Python {major_minor[0]}.{major_minor[1]} is not supported: the '
            f'pinned torch and mmcv builds are for Python '
            f'{SUPPORTED_PYTHON[0]}.{SUPPORTED_PYTHON[1]}. Install it and run '
            f'`PYTHON=python{SUPPORTED_PYTHON[0]}.{SUPPORTED_PYTHON[1]} bash '
            'tools/setup_env.sh`.')


def check_torch(version: Optional[str] = None) -> None:
    """Raise if torch is missing or older than :data:`MIN_TORCH`."""
    if version is None:
        try:
            import torch
        except ImportError as error:
            raise EnvironmentProblem(f'torch is not installed. {FIX}') from error
        version = torch.__version__
    if _version_tuple(version)[:2] < MIN_TORCH:
        raise EnvironmentProblem(
            f'torch {version} is too old (need >= '
            f'{".".join(map(str, MIN_TORCH))}; pinned: 2.14.1). {FIX}')


def check_mmcv(version: Optional[str] = None,
               ops_available: Optional[bool] = None) -> None:
    """Raise if mmcv is missing, outside mmdet's range, or lacks compiled
    ops (mmcv-lite, or a build without ``MMCV_WITH_OPS=1``)."""
    if version is None:
        try:
            import mmcv
        except ImportError as error:
            raise EnvironmentProblem(f'mmcv is not installed. {FIX}') from error
        version = mmcv.__version__
    low, high = MMCV_RANGE
    if not low <= _version_tuple(version) < high:
        raise EnvironmentProblem(
            f'mmcv {version} is installed; mmpose 1.3.2 / mmdet 3.3.0 need '
            f'{".".join(map(str, low))} <= mmcv < {".".join(map(str, high))} '
            f'(pinned: 2.1.0). {FIX}')
    if ops_available is None:
        ops_available = mmcv_ops_available()
    if not ops_available:
        raise EnvironmentProblem(
            f'mmcv {version} has no compiled ops (mmcv-lite, or built without '
            'MMCV_WITH_OPS=1), so its deformable convolutions are missing. '
            'Uninstall it and run `bash tools/setup_env.sh`, which builds '
            'mmcv with its ops; or set deform_conv=dict(type='
            "'PoseWarperTVDeformConv') in the model config to use "
            "torchvision's (slower) deformable convolution.")


def mmcv_ops_available() -> bool:
    """Whether mmcv's compiled extension with deformable convs loads."""
    try:
        from mmcv.utils import ext_loader
        ext_loader.load_ext(
            '_ext', ['deform_conv_forward', 'modulated_deform_conv_forward'])
    except (ImportError, AssertionError, ModuleNotFoundError):
        return False
    return True


def check_environment(require_mmcv_ops: bool = True) -> None:
    """Run every check; raise :class:`EnvironmentProblem` on the first
    problem found."""
    check_python()
    check_torch()
    if require_mmcv_ops:
        check_mmcv()
    else:
        try:
            check_mmcv()
        except EnvironmentProblem as problem:
            if 'compiled ops' not in str(problem):
                raise
