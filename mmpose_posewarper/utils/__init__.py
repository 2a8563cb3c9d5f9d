from .checkpoint import (CheckpointError, CheckpointMismatchError,
                         CheckpointNotWeightsOnlyError,
                         allow_mmengine_checkpoints, check_checkpoint_file,
                         checkpoint_safe_globals, last_checkpoint,
                         load_checkpoint_file)
from .distributed import setup_cpu_distributed, use_cpu_distributed
from .environment import EnvironmentProblem, check_environment
from .output import (OutputConflictError, OutputExistsError, OutputSet,
                     Terminated, remove_stale_staging)
from .runtime import prepare_runtime

__all__ = [
    'allow_mmengine_checkpoints', 'checkpoint_safe_globals',
    'check_checkpoint_file', 'load_checkpoint_file', 'last_checkpoint',
    'CheckpointError',
    'CheckpointMismatchError', 'CheckpointNotWeightsOnlyError', 'OutputSet',
    'OutputExistsError', 'OutputConflictError', 'Terminated', 'remove_stale_staging',
    'setup_cpu_distributed', 'use_cpu_distributed', 'prepare_runtime',
    'EnvironmentProblem', 'check_environment'
]
