# Sparse benchmark, augmentation (paper, Sec. 5.3, the original's
# scripts/augment_data_with_propagated_poses.py): the single-frame
# estimator of single-frame_hrnet-small_sparse_128x96.py, from the same
# pretrained checkpoint, trained on N manual labeled frames per train video
# PLUS the labels a source (PoseWarper, flow, the ground truth) adds on the
# frames within +-3 of them (ConcatDataset of the two COCO-style files the
# job writes). Its sparse-only baseline is this config on the first dataset
# alone: every estimator of the comparison trains alike.
_base_ = ['./single-frame_hrnet-small_sparse_128x96.py']

# a few hundred labeled people: 200 iterations at a rate at which the
# estimator fits its labels, as the paper's 20 epochs do (at the gentle 1e-4
# it hardly leaves the checkpoint and no labels, true ones included, change
# it: docs/experiments.md, "The wardrobe gap: suits")
max_iters = 200
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(checkpoint=dict(interval=max_iters))
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(
        type='CosineAnnealingLR',
        begin=50,
        end=max_iters,
        T_max=max_iters - 50,
        eta_min=2e-5,
        by_epoch=False)
]

propagated_ann_file = 'propagated/posetrack18_propagated.json'

# the base's training set (`sparse_labels`) and the same dataset on the
# propagated labels
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _base_.sparse_labels,
            dict(_base_.sparse_labels, ann_file=propagated_ann_file),
        ]))
