# Tiny CPU version of stage 1 (single-frame top-down) for the tests; its
# backbone and heatmap layer match posewarper_tiny_64x48.py.
_base_ = [
    '../../_base_/models/topdown_hrnet-w48_384x288.py',
    '../../_base_/models/hrnet_tiny_64x48.py'
]

custom_imports = dict(
    imports=['mmpose_posewarper.models'], allow_failed_imports=False)

model = dict(
    backbone={{_base_.tiny_hrnet}},
    head=dict(in_channels=8, decoder={{_base_.tiny_codec}}))
