# Runtime shared by the PoseTrack configs of this package: MMPose's default
# runtime, this package registered, and the checkpoint with the best
# PoseTrack AP kept (every epoch is validated).
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(
    imports=['mmpose_posewarper'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(save_best='posetrack/AP', rule='greater', interval=1))
