"""The pretrained single-frame estimator shipped with the project.

The paper's stage 1 starts from an HRNet pretrained on COCO; ours starts
from the small HRNet of ``projects/sparse_benchmark/configs/`` pretrained on
generated still frames, in three phases of one schedule
(``pretrain_hrnet-small_synthetic-stills_128x96_phase{1,2,3}-*.py``). The
weights live in ``projects/sparse_benchmark/checkpoints/<name>.pth`` beside
``<name>.json``, their provenance: the commands that made them, iterations,
training time, machine, the learning curve (val mAP vs iterations) and the
file's sha256, which :func:`pretrained_checkpoint` checks before any use.
The commands name the configs as they were named and where they lay then;
:data:`RENAMED_CONFIGS` and :func:`provenance_configs` give their paths now.
"""
import glob
import hashlib
import os
import os.path as osp
import platform
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.checkpoint import (CheckpointError,
                                                checkpoint_state_dict,
                                                load_checkpoint_file)
from mmpose_posewarper.utils.json_file import read_json

CHECKPOINT_DIR = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'checkpoints')
#: the shipped stage-1 initialisation of the sparse benchmark
PRETRAINED_NAME = 'pretrain_hrnet-small_synthetic-stills_128x96'

_RECORDED = ('configs/sparse_benchmark/'
             'pretrain_hrnet-small_synthetic-stills_128x96')
_NOW = ('projects/sparse_benchmark/configs/'
        'pretrain_hrnet-small_synthetic-stills_128x96')
#: the pretraining configs as the shipped provenance's commands name them
#: (named for the run that made them, in the repository's configs/) -> their
#: paths since 2026-12-07 (named for the phase of the one schedule each
#: trains, moved into the project's configs/; the same settings)
RENAMED_CONFIGS = {
    f'{_RECORDED}.py': f'{_NOW}_phase1-iter0-7k.py',
    f'{_RECORDED}_continued.py': f'{_NOW}_phase2-iter7k-23k.py',
    f'{_RECORDED}_continued-2.py': f'{_NOW}_phase3-iter23k-33k.py',
}


#: what a provenance JSON holds that the package reads (``read_json``'s
#: schema): the checkpoint's sha256 and, to continue it
#: (``export_pretrained``'s ``continues``), the record it counts from
PROVENANCE_SCHEMA = {
    'sha256': str,
    'iterations?': int,
    'learning_curve?': [{'iteration': int, 'val_mAP': (float, None)}],
    'training_seconds?': float,
    'commands?': [str],
    'runs?': [{'training_seconds': float, 'commands': [str]}],
}
#: a provenance an export continues: its record must be whole
CONTINUES_SCHEMA = {
    **{k.rstrip('?'): v for k, v in PROVENANCE_SCHEMA.items()
       if k not in ('sha256', 'runs?')},
    'runs?': PROVENANCE_SCHEMA['runs?'],
}
#: an MMEngine ``scalars.json`` line: the fields read from it
SCALARS_SCHEMA = {'step': int, 'time?': float, 'loss?': float,
                  'posetrack/AP?': float}


def sha256_of(path: str) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def read_provenance(name: str = PRETRAINED_NAME,
                    checkpoint_dir: str = CHECKPOINT_DIR) -> Dict[str, Any]:
    """The provenance JSON of a shipped checkpoint."""
    path = osp.join(checkpoint_dir, f'{name}.json')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: no provenance file for the pretrained checkpoint '
            f'{name!r}; the project folder projects/sparse_benchmark/ of a '
            'checkout holds it')
    return read_json(path, expect=dict, schema=PROVENANCE_SCHEMA)


def pretrained_checkpoint(name: str = PRETRAINED_NAME,
                          checkpoint_dir: str = CHECKPOINT_DIR) -> str:
    """Path of a shipped checkpoint whose bytes match its recorded sha256.

    Raises:
        FileNotFoundError: The checkpoint or its provenance is missing.
        ValueError: The file's sha256 differs from the recorded one (a
            truncated or replaced file).
    """
    provenance = read_provenance(name, checkpoint_dir)
    path = osp.join(checkpoint_dir, f'{name}.pth')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: pretrained checkpoint missing')
    actual = sha256_of(path)
    if actual != provenance['sha256']:
        raise ValueError(
            f'{path}: sha256 {actual} differs from {provenance["sha256"]} '
            f'recorded in {name}.json; the file is damaged or was replaced')
    return path


def provenance_configs(
        provenance: Mapping[str, Any]) -> List[Tuple[str, Optional[str]]]:
    """``(config, work dir)`` of each training run in a provenance's
    ``commands`` (``tools/train.py CONFIG [--work-dir DIR]``; a resumed run
    once), in order; configs by their current names (:data:`RENAMED_CONFIGS`),
    as paths from the repository root."""
    runs = []
    for command in provenance.get('commands') or []:
        words = command.split()
        if 'tools/train.py' not in words:
            continue
        config = words[words.index('tools/train.py') + 1]
        work_dir = (words[words.index('--work-dir') + 1]
                    if '--work-dir' in words else None)
        run = (RENAMED_CONFIGS.get(config, config), work_dir)
        if run not in runs:
            runs.append(run)
    return runs


def _scalar_logs(work_dir: str) -> List[Dict[str, Any]]:
    """Every entry of the MMEngine ``scalars.json`` logs of a work dir (one
    per run: a resumed run writes its own), in file order."""
    entries = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        entries += read_json(path, lines=True, schema=SCALARS_SCHEMA)
    return entries


def learning_curve(work_dir: str,
                   metric: str = 'posetrack/AP') -> List[Tuple[int, float]]:
    """``(iteration, val metric)`` of every validation in a work dir's logs
    (the last value wins when a resumed run validated an iteration again)."""
    curve = {}
    for entry in _scalar_logs(work_dir):
        if metric in entry:
            curve[int(entry['step'])] = float(entry[metric])
    return sorted(curve.items())


def learning_curve_markdown(curve: Sequence[Mapping[str, Any]],
                            per_row: int = 8) -> str:
    """A provenance's ``learning_curve`` as markdown tables of ``per_row``
    validations each (docs/sparse_benchmark.md shows it so)."""
    tables = []
    for start in range(0, len(curve), per_row):
        part = curve[start:start + per_row]
        tables.append('\n'.join([
            '| iterations | ' + ' | '.join(str(p['iteration'])
                                          for p in part) + ' |',
            '|---|' + '---:|' * len(part),
            '| val mAP | ' + ' | '.join(f'{p["val_mAP"]:.1f}'
                                       for p in part) + ' |',
        ]))
    return '\n\n'.join(tables)


def training_seconds(work_dir: str, log_interval: int) -> float:
    """Training wall time from the logs: each logged ``time`` is the mean
    seconds per iteration over the last ``log_interval`` iterations
    (validation and checkpoint writing are not included)."""
    seen = {}
    for entry in _scalar_logs(work_dir):
        if 'time' in entry and 'loss' in entry:
            seen[int(entry['step'])] = float(entry['time'])
    return float(sum(seen.values()) * log_interval)


def export_pretrained(checkpoint: str,
                      work_dir: str,
                      commands: Sequence[str],
                      name: str = PRETRAINED_NAME,
                      checkpoint_dir: str = CHECKPOINT_DIR,
                      log_interval: int = 100,
                      notes: Optional[str] = None,
                      continues: Optional[Mapping[str, Any]] = None,
                      overwrite: bool = False) -> Dict[str, Any]:
    """Write a training checkpoint's weights (no optimiser state) and its
    provenance into ``checkpoint_dir``.

    A run that started from an exported checkpoint (``load_from``) counts
    its iterations from 0; ``continues`` (that checkpoint's provenance)
    makes the record whole: iterations, learning curve and training time
    count from the first run, the commands are both runs', and ``runs``
    keeps each run's own record.

    Args:
        checkpoint (str): An MMEngine checkpoint of the pretraining run.
        work_dir (str): The run's work dir (its logs give the learning
            curve and the training time).
        commands (Sequence[str]): The commands that produced it, in order.
        name (str): File stem of ``<name>.pth`` / ``<name>.json``.
        checkpoint_dir (str): Where to write them.
        log_interval (int): The run's logger interval.
        notes (str, optional): Free text kept in the provenance.
        continues (Mapping, optional): The provenance of the exported
            checkpoint this run started from.
        overwrite (bool): Replace an existing ``<name>.pth`` /
            ``<name>.json``. The two are one output set
            (``utils.output.OutputSet``): written together or not at all,
            checked (existing, among the inputs) before anything is
            written. Defaults to False.

    Returns:
        dict: The provenance written to ``<name>.json``.
    """
    from mmpose_posewarper.utils.checkpoint import check_finite_weights
    from mmpose_posewarper.utils.json_file import check_json_schema
    if continues is not None:
        # refused before anything is written: a half-done export would
        # leave weights that do not match their provenance (a file is
        # checked where it is read: export_pretrained.py --continues)
        check_json_schema(continues, CONTINUES_SCHEMA,
                          'the provenance to continue (continues)')
    # the tools' one checked loader: a damaged or foreign file is refused
    ckpt = load_checkpoint_file(checkpoint)
    if not isinstance(ckpt, Mapping):
        raise CheckpointError(checkpoint,
                              f'holds a {type(ckpt).__name__}, not a dict')
    # the shipped weights are the job's starting point: no NaN or Inf
    check_finite_weights(checkpoint, checkpoint_state_dict(ckpt, checkpoint))
    from mmpose_posewarper.utils.output import OutputSet
    output = OutputSet(checkpoint_dir, names=[f'{name}.pth', f'{name}.json'],
                       overwrite=overwrite, inputs=[checkpoint, work_dir],
                       option='--out-dir')
    weights = checkpoint_state_dict(ckpt, checkpoint)
    meta = ckpt.get('meta') or {}
    iteration = int(meta.get('iter', 0))
    curve = learning_curve(work_dir)
    run = dict(
        iterations=iteration,
        val_mAP=dict(curve).get(iteration),
        training_seconds=round(training_seconds(work_dir, log_interval)),
        machine=dict(platform=platform.platform(),
                     processor=platform.processor() or platform.machine(),
                     cpu_count=os.cpu_count(),
                     torch_threads=torch.get_num_threads(),
                     torch=torch.__version__,
                     device='cpu'),
        commands=list(commands),
        notes=notes)
    runs, earlier_curve, offset = [run], [], 0
    if continues is not None:
        offset = int(continues['iterations'])
        earlier_curve = list(continues['learning_curve'])
        runs = list(continues.get('runs') or [{
            k: continues.get(k)
            for k in ('iterations', 'val_mAP', 'training_seconds',
                      'machine', 'commands', 'notes')
        }]) + runs
    with output:
        out = output.path(f'{name}.pth')
        torch.save(dict(state_dict=weights,
                        meta=dict(dataset_meta=meta.get('dataset_meta'),
                                  iter=iteration, seed=meta.get('seed'))),
                   out)
        provenance = _provenance(out, offset, iteration, run, runs,
                                 earlier_curve, curve, notes, continues)
        write_json_atomic(output.path(f'{name}.json'), provenance)
    return provenance


def _provenance(out: str, offset: int, iteration: int, run: dict,
                runs: list, earlier_curve: list, curve: list,
                notes: Optional[str],
                continues: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    provenance = dict(
        checkpoint=osp.basename(out),
        sha256=sha256_of(out),
        bytes=osp.getsize(out),
        iterations=offset + iteration,
        val_mAP=run['val_mAP'],
        learning_curve=earlier_curve + [
            dict(iteration=offset + i, val_mAP=round(ap, 2))
            for i, ap in curve
        ],
        training_seconds=sum(r['training_seconds'] for r in runs),
        machine=run['machine'],
        commands=[c for r in runs for c in r['commands']],
        notes=notes)
    if continues is not None:
        provenance['runs'] = runs
    return provenance
