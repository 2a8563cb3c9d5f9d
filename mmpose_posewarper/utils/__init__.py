from .checkpoint import allow_mmengine_checkpoints, checkpoint_safe_globals
from .distributed import setup_cpu_distributed, use_cpu_distributed
from .environment import EnvironmentProblem, check_environment
from .runtime import prepare_runtime

__all__ = [
    'allow_mmengine_checkpoints', 'checkpoint_safe_globals',
    'setup_cpu_distributed', 'use_cpu_distributed', 'prepare_runtime', 'EnvironmentProblem', 'check_environment'
]
