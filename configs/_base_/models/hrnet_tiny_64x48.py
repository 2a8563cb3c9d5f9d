# A tiny HRNet (1 block per stage, 8/16/32 channels) and 64x48 codec for
# CPU tests; HRNet-W48's structure with a narrower, shallower network and no
# 1/32 branch. Not for training.
tiny_codec = dict(
    type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=2)

tiny_hrnet = dict(
    type='HRNet',
    in_channels=3,
    extra=dict(
        stage1=dict(
            num_modules=1,
            num_branches=1,
            block='BOTTLENECK',
            num_blocks=(1, ),
            num_channels=(8, )),
        stage2=dict(
            num_modules=1,
            num_branches=2,
            block='BASIC',
            num_blocks=(1, 1),
            num_channels=(8, 16)),
        stage3=dict(
            num_modules=1,
            num_branches=3,
            block='BASIC',
            num_blocks=(1, 1, 1),
            num_channels=(8, 16, 32)),
        # 3 branches (1/4, 1/8, 1/16): a 4th branch at 1/32 would be 2x2 for
        # 64x48 crops and not upsample back to the 4x3 of the 1/16 branch
        stage4=dict(
            num_modules=1,
            num_branches=3,
            block='BASIC',
            num_blocks=(1, 1, 1),
            num_channels=(8, 16, 32))))
