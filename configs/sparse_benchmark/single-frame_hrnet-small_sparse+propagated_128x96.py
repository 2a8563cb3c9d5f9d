# Sparse benchmark, augmentation (paper, Sec. 5.3): the same single-frame
# estimator, schedule and iterations as single-frame_hrnet-small_sparse_
# 128x96.py, trained on the sparse manual labels PLUS the labels PoseWarper
# propagated to the frames within +-3 of them (MMEngine ConcatDataset of the
# two COCO-style files tools/propagate_labels.py style propagation writes).
_base_ = ['./single-frame_hrnet-small_sparse_128x96.py']

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
