"""What ``tools/train.py`` and ``tools/test.py`` do before building a Runner."""
from mmengine.config import Config

from .checkpoint import allow_mmengine_checkpoints
from .distributed import setup_cpu_distributed
from .environment import check_environment


def prepare_runtime(cfg: Config) -> Config:
    """Make ``cfg`` runnable here: registered modules, checkpoint loading,
    CPU distributed training.

    Args:
        cfg (Config): The merged runner config (``launcher`` already set).

    Returns:
        Config: ``cfg``, updated in place.
    """
    # without mmcv ops the model falls back to torchvision's deform conv
    check_environment(require_mmcv_ops=False)
    # registers the plugin even when a config forgets ``custom_imports``
    import mmpose_posewarper  # noqa: F401
    allow_mmengine_checkpoints()
    cfg.setdefault('default_scope', 'mmpose')
    setup_cpu_distributed(cfg)
    return cfg
