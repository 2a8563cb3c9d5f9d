# Runtime shared by the sparse benchmark's stage configs (stage 1, its
# augmentation variant, stage 2): MMPose's default runtime, trained by
# iterations (300 here: stage 1 and its augmentation variant train equally,
# as the original's protocol asks; stage 2 sets 600; the job may set
# another length), not validated while training (the job tests after it),
# one checkpoint at the end, deterministic and seeded (the job sets each
# run's seed).
# The stages' schedules end at `_base_.max_iters`. A config with another
# length sets max_iters and restates train_cfg and the checkpoint interval,
# which embed it (base variables are resolved here).
_base_ = ['mmpose::_base_/default_runtime.py']

max_iters = 300
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters + 1)
val_cfg = None
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1,
                    save_last=True))
log_processor = dict(by_epoch=False, window_size=20)
# NHWC convolutions: the same values, faster on CPU (docs/benchmark.md)
custom_hooks = [dict(type='ChannelsLastHook')]
randomness = dict(seed=0, deterministic=True)
