# Quick version of ../single-frame_hrnet-small_sparse+propagated_128x96.py:
# ./single-frame_hrnet-tiny_sparse_64x48.py on sparse + propagated labels.
_base_ = ['./single-frame_hrnet-tiny_sparse_64x48.py']

propagated_ann_file = 'propagated/posetrack18_propagated.json'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='PoseTrack18Dataset',
                data_mode='topdown',
                data_root={{_base_.data_root}},
                ann_file={{_base_.train_ann_file}},
                data_prefix=dict(img=''),
                pipeline={{_base_.train_pipeline}}),
            dict(
                type='PoseTrack18Dataset',
                data_mode='topdown',
                data_root={{_base_.data_root}},
                ann_file=propagated_ann_file,
                data_prefix=dict(img=''),
                pipeline={{_base_.train_pipeline}}),
        ]))
