"""The environment checks name the problem and the fix."""
import pytest

from mmpose_posewarper.utils.environment import (EnvironmentProblem,
                                                 check_environment,
                                                 check_mmcv, check_python,
                                                 check_torch,
                                                 mmcv_ops_available)


def test_this_environment_passes():
    check_environment(require_mmcv_ops=True)
    assert mmcv_ops_available()


@pytest.mark.parametrize('version', [(3, 10), (3, 12), (2, 7)])
def test_unsupported_python(version):
    with pytest.raises(EnvironmentProblem, match=r'not supported.*setup_env'):
        check_python(version)


def test_old_torch():
    with pytest.raises(EnvironmentProblem, match=r'torch 1\.13\.1\+cpu is too old'):
        check_torch('1.13.1+cpu')
    check_torch('2.14.1+cu130')


@pytest.mark.parametrize('version', ['1.7.1', '2.2.0', '2.3.1'])
def test_mmcv_outside_mmdet_range(version):
    with pytest.raises(EnvironmentProblem, match='mmcv < 2.2.0'):
        check_mmcv(version, ops_available=True)


def test_mmcv_without_ops():
    with pytest.raises(EnvironmentProblem, match='no compiled ops'):
        check_mmcv('2.1.0', ops_available=False)
    check_mmcv('2.1.0', ops_available=True)
