# Tiny CPU version of the augmentation experiment for the tests: the same
# ConcatDataset of manual + propagated labels and the same pipeline, with the
# tiny HRNet and 64x48 crops, one short epoch and no validation.
# Point it at a propagation output with --cfg-options
#   train_dataloader.dataset.datasets.0.ann_file=OUT/posetrack18_manual.json
#   train_dataloader.dataset.datasets.1.ann_file=OUT/posetrack18_propagated.json
#   train_dataloader.dataset.datasets.{0,1}.data_prefix.img=IMG_ROOT/
_base_ = [
    '../td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288_manual+propagated.py',
    # the tiny HRNet, its codec and MMPose's pipelines at 64x48
    '../../_base_/pipelines/topdown_64x48.py'
]

codec = {{_base_.tiny_codec}}
model = dict(
    backbone={{_base_.tiny_hrnet}},
    head=dict(in_channels=8, decoder={{_base_.tiny_codec}}))

# the base's pipeline (MMPose's defaults) with the tiny codec
train_pipeline = {{_base_.tiny_train_pipeline}}
# the base's two datasets, with this pipeline (they embed the base's)
manual_labels = dict(_base_.manual_labels, pipeline=train_pipeline)
propagated_labels = dict(_base_.propagated_labels, pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(datasets=[manual_labels, propagated_labels]))
train_cfg = dict(max_epochs=1, val_interval=100)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=5, start_factor=0.1, by_epoch=False)
]
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
default_hooks = dict(
    checkpoint=dict(save_best=None, interval=1),
    logger=dict(interval=1))
load_from = None
