from .posewarper import PoseWarper

__all__ = ['PoseWarper']
