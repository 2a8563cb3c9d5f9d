"""PoseWarper for MMPose 1.x.

Importing this package registers its models, datasets, transforms and
metrics into MMPose's registries, so an MMPose config can use it with::

    custom_imports = dict(imports=['mmpose_posewarper'],
                          allow_failed_imports=False)
"""
from .utils import allow_mmengine_checkpoints
from .version import __version__

# MMEngine checkpoints hold numpy objects that torch>=2.6 refuses by default.
allow_mmengine_checkpoints()

__all__ = ['__version__']
