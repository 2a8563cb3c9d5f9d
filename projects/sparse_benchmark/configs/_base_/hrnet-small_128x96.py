# The backbone shared by the sparse benchmark's stage-1, augmentation and
# PoseWarper configs (a variable only; the configs build their models).
# The team's tiny HRNet (configs/_base_/models/hrnet_tiny_64x48.py: HRNet-W48's
# structure, 1 block per stage, 3 branches) at twice its widths (chosen over
# the tiny one: docs/experiments.md, "Config comments moved here").
small_hrnet = dict(
    type='HRNet',
    in_channels=3,
    extra=dict(
        stage1=dict(
            num_modules=1,
            num_branches=1,
            block='BOTTLENECK',
            num_blocks=(1, ),
            num_channels=(16, )),
        stage2=dict(
            num_modules=1,
            num_branches=2,
            block='BASIC',
            num_blocks=(1, 1),
            num_channels=(16, 32)),
        stage3=dict(
            num_modules=1,
            num_branches=3,
            block='BASIC',
            num_blocks=(1, 1, 1),
            num_channels=(16, 32, 64)),
        stage4=dict(
            num_modules=1,
            num_branches=3,
            block='BASIC',
            num_blocks=(1, 1, 1),
            num_channels=(16, 32, 64))))
