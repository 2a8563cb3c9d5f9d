"""Loading MMEngine checkpoints under ``torch.load(weights_only=True)``.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True`` and MMEngine
0.10.7 calls it without the argument. MMEngine's own checkpoints then fail to
load, because the saved ``message_hub`` holds ``HistoryBuffer`` objects,
numpy arrays and scalars, and ``getattr(HistoryBuffer, 'mean')``-style
references to its statistics methods. Rather than switching the safety check
off (``weights_only=False`` would run arbitrary pickled code from any
checkpoint file), we allow exactly what such checkpoints contain; ``getattr``
is replaced by a stand-in that resolves only HistoryBuffer's public methods.

Every load checks its file first: :func:`load_checkpoint_file` (CRCs,
format), :func:`check_initial_weights` for the weights a training starts
from (finite values, strict fit), :func:`check_training_checkpoint` for
``--resume``.
"""
import hashlib
import os.path as osp
import pickle
import warnings
import zipfile
import zlib
from typing import Any, Dict, List, Mapping, Sequence

import numpy as np
import torch
from mmengine.logging import print_log


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


# ----------------------------------------------------------------------------
# integrity: one check before every load (train --resume, convert, propagate,
# demo)
# ----------------------------------------------------------------------------
#: What torch.save's legacy (pre-1.6, non-zip) format starts with: the pickled
#: magic number 0x1950a86a20f9469cfc6c.
_LEGACY_TORCH_MAGIC = b'\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19'


class CheckpointError(ValueError):
    """A checkpoint file is missing, damaged or not what the tool needs; the
    message is ``checkpoint PATH: [field: ]problem``."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f'checkpoint {path}: {problem}')


class CheckpointMismatchError(CheckpointError):
    """A checkpoint does not hold every weight of the configured model (with
    its shape): a checkpoint of another stage, model or model size."""


class CheckpointNotWeightsOnlyError(CheckpointError):
    """An intact checkpoint pickles objects that weights-only loading
    refuses (e.g. old MMPose 0.x metadata)."""


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint MMEngine's ``last_checkpoint`` file in ``work_dir``
    names, looked up in ``work_dir`` itself: the file holds an absolute
    path, so a copied or moved work dir still finds its own copy.

    Raises:
        FileNotFoundError: No ``last_checkpoint`` file, or the checkpoint it
            names is not in ``work_dir``.
    """
    record = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        raise FileNotFoundError(f'{record}: not found')
    with open(record, encoding='utf-8') as f:
        name = osp.basename(f.read().strip())
    checkpoint = osp.join(work_dir, name)
    if not name or not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'{record} names {name!r}, which is not in {work_dir}')
    return checkpoint


def check_checkpoint_file(path: str) -> None:
    """Check that ``path`` is an intact PyTorch checkpoint file, before
    ``torch.load`` (which does not verify the zip CRCs: a checkpoint with
    flipped bytes loads with wrong weights and no error).

    Zip checkpoints (torch >= 1.6) have every member's CRC verified
    (``zipfile.ZipFile.testzip``); legacy checkpoints carry no checksums and
    are only recognised.

    Raises:
        CheckpointError: missing, a directory, empty, truncated, corrupted
            (names the damaged member) or not a PyTorch checkpoint.
    """
    if not osp.lexists(path):
        raise CheckpointError(path, 'no such file')
    if osp.isdir(path):
        raise CheckpointError(path, 'is a directory, not a checkpoint file')
    size = osp.getsize(path)
    if size == 0:
        raise CheckpointError(
            path, 'the file is empty (0 bytes): an interrupted save or copy? '
            'Use another checkpoint')
    with open(path, 'rb') as f:
        head = f.read(64)
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError,
                zlib.error) as e:
            raise CheckpointError(
                path, f'the zip archive is corrupted ({e}); the file was '
                'damaged after it was saved: use an intact copy') from None
        if bad is not None:
            raise CheckpointError(
                path, f'corrupted: the member {bad} fails its CRC check (the '
                'file was damaged after it was saved; loading it would give '
                'wrong weights without an error): use an intact copy')
        if not any(n == 'data.pkl' or n.endswith('/data.pkl') for n in names):
            raise CheckpointError(
                path, 'a zip archive but not a PyTorch checkpoint (no '
                'data.pkl in it)')
        return
    if head.startswith(b'PK'):
        raise CheckpointError(
            path, f'truncated or corrupted ({size} bytes, the zip archive '
            'has no readable directory): an interrupted save or copy? Use an '
            'intact copy')
    if head.startswith(_LEGACY_TORCH_MAGIC):
        return  # torch's legacy format: nothing to verify before loading
    if head[:1] == b'\x80':
        raise CheckpointError(
            path, 'a pickle file but not a PyTorch checkpoint (torch.save '
            'writes a zip archive or its legacy format)')
    # a cut multi-byte character at the end of the 64 bytes is no binary
    text = head.decode('utf-8', 'replace').rstrip('\ufffd')
    if text and all(c.isprintable() or c.isspace() for c in text) \
            and '\ufffd' not in text:
        raise CheckpointError(
            path, f'not a PyTorch checkpoint: it is text, beginning with '
            f'{text[:40]!r}')
    raise CheckpointError(
        path, 'not a PyTorch checkpoint (unknown format, first bytes '
        f'{head[:8].hex(" ")})')


def load_checkpoint_file(path: str,
                         weights_only: bool = True,
                         map_location: str = 'cpu') -> Any:
    """``torch.load`` after :func:`check_checkpoint_file`, with errors that
    name the file. The one loader of the tools (train --resume, convert,
    propagate, demo).

    Args:
        path (str): Checkpoint file.
        weights_only (bool): torch's safe loading (MMEngine checkpoints are
            allowed, see :func:`allow_mmengine_checkpoints`). Only for
            trusted files set it False. Defaults to True.
        map_location (str): Defaults to ``'cpu'``.

    Raises:
        CheckpointError: see :func:`check_checkpoint_file`;
            :class:`CheckpointNotWeightsOnlyError` when only unsafe loading
            could read it.
    """
    check_checkpoint_file(path)
    allow_mmengine_checkpoints()
    try:
        return torch.load(
            path, map_location=map_location, weights_only=weights_only)
    except pickle.UnpicklingError as e:
        if weights_only:
            raise CheckpointNotWeightsOnlyError(
                path, 'it pickles objects that safe (weights-only) loading '
                f'refuses: {str(e).splitlines()[0]}') from None
        raise CheckpointError(path, f'cannot be unpickled: {e}') from None
    except Exception as e:  # torch raises many types for a damaged file
        first = str(e).splitlines()[0] if str(e) else ''
        raise CheckpointError(
            path, f'torch.load failed: {type(e).__name__}: {first}') from None


def check_training_checkpoint(path: str) -> Dict[str, tuple]:
    """Check that ``path`` is an intact checkpoint that ``--resume`` can
    continue from (MMEngine's training state: ``meta.epoch``, ``meta.iter``,
    ``message_hub``, ``state_dict``).

    MMEngine fails on such files with a bare ``KeyError`` (a weights-only or
    converted file has no ``meta.epoch``) or, worse, resumes from a damaged
    file (torch does not verify the zip CRCs).

    Returns:
        dict: The shape of every weight in the checkpoint (for
        :func:`check_checkpoint_fits`).

    Raises:
        CheckpointError: names the file, the missing field and what to do.
    """
    ckpt = load_checkpoint_file(path)
    hint = ('it is not a training checkpoint written by tools/train.py (a '
            'converted, stage-1 weights or MMPose model-zoo file?); to start '
            f'a new training from its weights use --cfg-options '
            f'load_from={path} instead of --resume')
    if not isinstance(ckpt, Mapping):
        raise CheckpointError(
            path, f'holds a {type(ckpt).__name__}, not a dict: {hint}')
    meta = ckpt.get('meta')
    if not isinstance(meta, Mapping):
        raise CheckpointError(path, f'meta: missing: {hint}')
    for key in ('epoch', 'iter'):
        if not isinstance(meta.get(key), int) or isinstance(
                meta.get(key), bool):
            raise CheckpointError(path, f'meta.{key}: missing: {hint}')
    for key in ('state_dict', 'message_hub'):
        if not isinstance(ckpt.get(key), Mapping):
            raise CheckpointError(path, f'{key}: missing: {hint}')
    check_finite_weights(path, checkpoint_state_dict(ckpt, path))
    if 'optimizer' not in ckpt:
        warnings.warn(f'checkpoint {path}: no optimizer state (saved with '
                      'save_optimizer=False?): the optimizer restarts from '
                      'scratch')
    return {
        k: tuple(v.shape)
        for k, v in checkpoint_state_dict(ckpt, path).items()
        if hasattr(v, 'shape')
    }


def checkpoint_state_dict(ckpt: Mapping[str, Any],
                          path: str) -> Dict[str, Any]:
    """The weights of a loaded checkpoint: its ``state_dict`` (or the
    checkpoint itself when it is a bare state dict), without the
    ``module.`` prefix of DDP-saved weights (MMEngine strips it too).

    Raises:
        CheckpointMismatchError: ``state_dict`` is not a dict.
    """
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, Mapping):
        raise CheckpointMismatchError(
            path, f'state_dict: a {type(state).__name__}, not a dict')
    return {(k[7:] if k.startswith('module.') else k): v
            for k, v in state.items()}


def checkpoint_weight_shapes(path: str) -> Dict[str, tuple]:
    """The shape of every weight in the checkpoint file ``path`` (loaded
    with :func:`load_checkpoint_file`), for :func:`check_checkpoint_fits`."""
    ckpt = load_checkpoint_file(path)
    if not isinstance(ckpt, Mapping):
        raise CheckpointMismatchError(
            path, f'holds a {type(ckpt).__name__}, not a state dict')
    return {
        k: tuple(v.shape)
        for k, v in checkpoint_state_dict(ckpt, path).items()
        if hasattr(v, 'shape')
    }


def check_checkpoint_fits(path: str, shapes: Mapping[str, tuple],
                          model: torch.nn.Module,
                          new_weights: Sequence[str] = ()) -> None:
    """Every weight of ``model`` must be in the checkpoint with its shape,
    but those under the prefixes ``new_weights`` (a config's
    ``load_from_new_weights``: e.g. stage 2's warping neck, which starts
    from its initialisation on stage-1 weights), whose absence is logged.

    MMEngine loads checkpoints non-strictly: resuming a stage-2 config from
    a stage-1 checkpoint would only log the missing warping module and train
    it from random weights (testing it would score random weights).

    Raises:
        CheckpointMismatchError: names the file, how many weights are
            missing or have other shapes, and examples.
    """
    model = getattr(model, 'module', model)  # DDP and friends
    missing, mismatched, new = [], [], []
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked'):
            continue
        if key not in shapes:
            (new if key.startswith(tuple(new_weights)) else
             missing).append(key)
        elif tuple(value.shape) != shapes[key]:
            mismatched.append(f'{key}: {shapes[key]} in the checkpoint, '
                              f'{tuple(value.shape)} in the model')
    if missing or mismatched:
        # only the problems there are ("0 ... missing (e.g. -)" reads as one)
        total = len(model.state_dict())
        problems = []
        if missing:
            problems.append(f'{len(missing)} of its {total} weights are '
                            f'missing (e.g. {", ".join(missing[:3])})')
        if mismatched:
            problems.append(
                f'{"" if missing else f"of its {total} weights, "}'
                f'{len(mismatched)} have other shapes (e.g. '
                f'{"; ".join(mismatched[:2])})')
        raise CheckpointMismatchError(
            path, f'state_dict: does not fit the configured '
            f'{type(model).__name__}: {" and ".join(problems)}. Is it a '
            'checkpoint of another stage or model (e.g. stage 1 where the '
            'config is stage 2)?')
    if new:
        print_log(f'checkpoint {path}: a partial load, as the config says '
                  f'(load_from_new_weights={list(new_weights)}): {len(new)} '
                  'weights start from their initialisation', logger='current')


def check_finite_weights(path: str, state: Mapping[str, Any]) -> None:
    """Refuse weights holding NaN or infinite values (a diverged training
    saves them with intact CRCs; resuming from them fails far from here).

    Raises:
        CheckpointError: names the file and the first such tensor.
    """
    for name, value in state.items():
        if (torch.is_tensor(value) and value.is_floating_point()
                and not bool(torch.isfinite(value).all())):
            bad = int((~torch.isfinite(value)).sum())
            raise CheckpointError(
                path, f'{name}: {bad} of its {value.numel()} values are NaN '
                'or infinite (saved by a diverged training?): use an '
                'earlier checkpoint')


def checked_weights(ckpt: Any, path: str, model: torch.nn.Module,
                    new_weights: Sequence[str] = ()) -> Dict[str, Any]:
    """The state dict of a loaded checkpoint, after checking that its
    values are finite and that it fits ``model`` (but ``new_weights``).

    Raises:
        CheckpointError: what is wrong, naming the file.
    """
    if not isinstance(ckpt, Mapping):
        raise CheckpointMismatchError(
            path, f'holds a {type(ckpt).__name__}, not a state dict')
    state = checkpoint_state_dict(ckpt, path)
    check_finite_weights(path, state)
    check_checkpoint_fits(path, {
        k: tuple(v.shape)
        for k, v in state.items() if hasattr(v, 'shape')
    }, model, new_weights)
    return state


def check_initial_weights(path: str, model: torch.nn.Module,
                          new_weights: Sequence[str] = ()) -> str:
    """The one check of the weights a model starts from (a config's
    ``load_from``, the main job's ``--pretrained``) before anything trains
    on them: an intact file (CRCs), a state dict of finite values, a strict
    fit to ``model`` but for ``new_weights``
    (:func:`check_checkpoint_fits`).

    Returns:
        str: The file's sha256, computed after the checks passed.

    Raises:
        CheckpointError: what is wrong, naming the file.
    """
    checked_weights(load_checkpoint_file(path), path, model, new_weights)
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()
