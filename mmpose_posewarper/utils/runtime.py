"""What ``tools/train.py`` and ``tools/test.py`` do before building a Runner."""
from mmengine.config import Config

from .checkpoint import allow_mmengine_checkpoints
from .distributed import setup_cpu_distributed


def prepare_runtime(cfg: Config) -> Config:
    """Make ``cfg`` runnable here: registered modules, checkpoint loading,
    CPU distributed training.

    Args:
        cfg (Config): The merged runner config (``launcher`` already set).

    Returns:
        Config: ``cfg``, updated in place.
    """
    # registers the plugin even when a config forgets ``custom_imports``
    import mmpose_posewarper  # noqa: F401
    allow_mmengine_checkpoints()
    cfg.setdefault('default_scope', 'mmpose')
    setup_cpu_distributed(cfg)
    return cfg
