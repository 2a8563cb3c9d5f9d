# Tiny CPU version of stage 2 for the tests: the modules and wiring of
# configs/_base_/models/posewarper_hrnet-w48_384x288.py with 64x48 crops, a
# tiny HRNet and 2 residual blocks of 16 channels in the warping module.
_base_ = [
    '../../_base_/models/posewarper_hrnet-w48_384x288.py',
    '../../_base_/models/hrnet_tiny_64x48.py'
]

custom_imports = dict(
    imports=['mmpose_posewarper.models'], allow_failed_imports=False)

model = dict(
    backbone={{_base_.tiny_hrnet}},
    neck=dict(
        in_channels=8,
        inner_channels=16,
        res_blocks_cfg=dict(block='BASIC', num_blocks=2)),
    head=dict(decoder={{_base_.tiny_codec}}))
