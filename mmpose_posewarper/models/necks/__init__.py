from .posewarper_warping_neck import PoseWarperWarpingNeck

__all__ = ['PoseWarperWarpingNeck']
