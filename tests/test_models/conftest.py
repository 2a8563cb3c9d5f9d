import pytest
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def mmpose_scope():
    """Build nested modules (e.g. the data preprocessor) from MMPose's
    registries, as the Runner does with ``default_scope='mmpose'``."""
    init_default_scope('mmpose')
