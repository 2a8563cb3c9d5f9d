"""Loading MMEngine checkpoints under ``torch.load(weights_only=True)``.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True`` and MMEngine
0.10.7 calls it without the argument. MMEngine's own checkpoints then fail to
load, because the saved ``message_hub`` holds ``HistoryBuffer`` objects,
numpy arrays and scalars, and ``getattr(HistoryBuffer, 'mean')``-style
references to its statistics methods. Rather than switching the safety check
off (``weights_only=False`` would run arbitrary pickled code from any
checkpoint file), we allow exactly what such checkpoints contain; ``getattr``
is replaced by a stand-in that resolves only HistoryBuffer's public methods.
"""
import pickle
from typing import Any, List

import numpy as np
import torch


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` as seen by the weights-only unpickler: only
    ``HistoryBuffer.<public method>`` resolves."""
    from mmengine.logging import HistoryBuffer
    if (obj is HistoryBuffer and not name.startswith('_')
            and callable(getattr(HistoryBuffer, name, None))):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer methods are allowed in weights-only loading')


def checkpoint_safe_globals() -> List[Any]:
    """The non-tensor globals that MMEngine/MMPose checkpoints pickle, in the
    form ``torch.serialization.add_safe_globals`` takes."""
    from mmengine.logging import HistoryBuffer

    numpy_globals = [
        np.ndarray,
        np.dtype,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
    ]
    # numpy >= 1.25 pickles dtypes through their per-type classes.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        numpy_globals += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return [
        HistoryBuffer, *numpy_globals,
        (_history_buffer_getattr, 'builtins.getattr')
    ]


def allow_mmengine_checkpoints() -> None:
    """Let ``torch.load(weights_only=True)`` read MMEngine checkpoints.

    Idempotent; a no-op on torch versions without ``add_safe_globals``.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:
        add_safe_globals(checkpoint_safe_globals())
