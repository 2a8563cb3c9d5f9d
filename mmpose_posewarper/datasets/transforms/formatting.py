"""Packing constants for multi-frame samples.

MMPose's ``PackPoseInputs`` already stacks a list of frames into an
``(F, 3, H, W)`` tensor; it only needs to be told which extra meta keys to
carry. Configs use :data:`MULTI_FRAME_META_KEYS` as its ``meta_keys``.
"""

# MMPose 1.3.2's PackPoseInputs default meta keys ...
MMPOSE_DEFAULT_META_KEYS = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
                            'ori_shape', 'img_shape', 'input_size', 'input_center',
                            'input_scale', 'flip', 'flip_direction', 'flip_indices',
                            'raw_ann_info', 'dataset_name')

# ... plus what the PoseWarper model and the PoseTrack metric read:
# frame_weights (aggregation weights, read by the model), frame_offsets (which
# frames were used), and the reference frame's video/frame identity so that
# predictions can be written back into per-video PoseTrack JSON.
MULTI_FRAME_META_KEYS = MMPOSE_DEFAULT_META_KEYS + (
    'frame_weights', 'frame_offsets', 'frame_idx', 'nframes', 'vid_id', 'track_id')
