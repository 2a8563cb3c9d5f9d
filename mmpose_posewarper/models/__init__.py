"""PoseWarper model parts; importing registers them in MMPose's MODELS."""
from .data_preprocessors import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .ops import *  # noqa: F401,F403
from .pose_estimators import *  # noqa: F401,F403
from .utils import count_parameters  # noqa: F401
