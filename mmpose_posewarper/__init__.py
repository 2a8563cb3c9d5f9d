"""PoseWarper for MMPose 1.x.

Importing this package registers its models, datasets, transforms, metrics
and hooks into MMPose's registries, so an MMPose config can use it with::

    custom_imports = dict(imports=['mmpose_posewarper'],
                          allow_failed_imports=False)
"""
from .utils import allow_mmengine_checkpoints

# MMEngine checkpoints hold numpy objects that torch>=2.6 refuses by default;
# allowed before anything can load one.
allow_mmengine_checkpoints()

from . import datasets, engine, evaluation, models  # noqa: E402,F401  (registration)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
