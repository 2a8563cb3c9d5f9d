# Quick version of ../single-frame_hrnet-small_sparse+propagated_128x96.py:
# ./single-frame_hrnet-tiny_sparse_64x48.py on sparse + propagated labels.
_base_ = ['./single-frame_hrnet-tiny_sparse_64x48.py']

propagated_ann_file = 'propagated/posetrack18_propagated.json'

# the base's training set (`sparse_labels`, with its 64x48 pipeline) and the
# same dataset on the propagated labels
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _base_.sparse_labels,
            dict(_base_.sparse_labels, ann_file=propagated_ann_file),
        ]))
