"""A run's folder ``DIR`` (``--out``) and the checks that keep it honest:
finished work is reused only when it was made with the same settings and
inputs, and results never lie beside another run's settings.

``DIR`` after a run::

    DIR/data/                      generated videos (dense ground truth)
    DIR/labels/{train,val}_sparse/ per-video files, labels every k-th frame
    DIR/labels/*.json              COCO-style: sparse train, dense val
    DIR/work_dirs/<stage>/         MMEngine work dirs (logs, checkpoints)
    DIR/propagation/<method>/      propagated val labels per method
                                   (and per control: self/*, shuffled/*)
    DIR/data_stills_look/          the val videos in the pretraining
                                   stills' look and clothes (the domain
                                   gap's control)
    DIR/labels/posetrack18_train_<N>_per_video.json
                                   the augmentation's manual labels: N
                                   labeled frames per train video
    DIR/propagated_train/<N>_per_video/<source>.json
                                   labels added to them, per source
                                   (PoseWarper, ground truth, ...), and
                                   per video in <source>/
    DIR/results.json               the numbers (keys in RESULT_KEYS, and
                                   propagation_by_distance: method ->
                                   distance to the labeled frame -> mAP)
    DIR/controls.json              sanity controls, step timings
    DIR/settings.json              the run's BenchmarkSettings and the
                                   sha256 of the pretrained checkpoint
                                   and of each stage config
    DIR/results.md, results.png    table, plot
    DIR/propagation_strip.jpg      one propagated sequence, GT vs methods
    DIR/benchmark.log              this job's log
    DIR/steps/<stage>.json         each trained stage's marker: what it
                                   depends on, its checkpoint and sha256
    DIR/steps/<step>.json          each other finished step's marker
                                   (the propagation comparison, each
                                   source's augmentation labels, each
                                   model's score): what it depended on,
                                   its results and its outputs' sha256

With several seeds (:func:`~.seeds.run_seeds`), one such directory per seed,
``DIR/seed_<s>/``, and ``DIR/seeds.json`` / ``DIR/seeds.md`` (mean and
spread of every number).
"""
import hashlib
import json
import os
import os.path as osp
from dataclasses import asdict
from typing import Any, Dict, Mapping, Optional, Sequence

from mmengine.config import Config

from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.json_file import read_json

from .pretrained import sha256_of
from .settings import STAGES, BenchmarkSettings

#: what a finished run writes at its end (``run_results.write_run_report``)
RESULT_FILES = ('results.json', 'controls.json', 'results.md',
                'results.png', 'propagation_strip.jpg')


def claim_run_folder(settings: BenchmarkSettings, overwrite: bool) -> None:
    """Make ``settings.out_dir`` this run's: refuse a folder whose
    ``settings.json`` records other settings unless ``overwrite``, and then
    remove that run's results before this run's settings are written.
    A non-empty folder that is no run of the job (no ``settings.json``;
    the log of a run stopped before writing it does not count) is refused
    unless ``overwrite``."""
    path = settings.path('settings.json')
    if not osp.isfile(path):
        out = settings.out_dir
        others = sorted(set(os.listdir(out)) - {'benchmark.log'}
                        ) if osp.isdir(out) else []
        if others and not overwrite:
            raise ValueError(
                f'{out}: not empty and not a run of this job (no '
                f'settings.json; it holds {", ".join(others[:3])}'
                f'{", ..." if len(others) > 3 else ""}); choose a new or '
                'empty folder, or pass --overwrite (overwrite=True) to run '
                'into it')
        return
    try:
        check_same_settings(read_json(path, expect=dict), settings, path)
    except ValueError as e:
        if not overwrite:
            raise ValueError(f'{e}; or pass --overwrite (overwrite=True) to '
                             'replace its results (unchanged trained stages '
                             'are reused)') from None
        for name in RESULT_FILES:
            if osp.isfile(settings.path(name)):
                os.remove(settings.path(name))


def stage_config_sha256(path: str) -> str:
    """sha256 of a stage config as MMEngine reads it (``_base_`` files
    merged), so that an edited config file, or a base it inherits, counts
    as other settings; comments and formatting do not."""
    content = json.dumps(Config.fromfile(path).to_dict(), sort_keys=True,
                         default=repr)
    return hashlib.sha256(content.encode('utf-8')).hexdigest()


def settings_record(settings: BenchmarkSettings) -> Dict[str, Any]:
    """What ``settings.json`` holds: the settings as JSON gives them back,
    the pretrained checkpoint's sha256 (a checkpoint replaced under the
    same path makes another run) and each stage config's
    (:func:`stage_config_sha256`: a config changed under the same name
    does too)."""
    record = json.loads(json.dumps(asdict(settings)))
    record['pretrained_sha256'] = (None if settings.pretrained is None else
                                   sha256_of(settings.pretrained))
    record['stage_configs_sha256'] = {
        stage: stage_config_sha256(settings.config(stage))
        for stage in STAGES}
    return record


#: settings that only say where something lies (see check_same_settings)
_LOCATIONS = ('out_dir', 'pretrained', 'config_dir')
#: settings held per stage config (keys of ``CONFIGS``)
_PER_STAGE = ('iters', 'cfg_options', 'stage_configs_sha256')
#: the augmentation's label budget and sources: measured apart per value
#: (``label_budgets``), each in folders of its own
AUGMENTATION_SETTINGS = ('labels_per_video', 'augmentation_labels')
#: how the propagation comparison fuses two sources
COMPARISON_SETTINGS = ('two_sided_posewarper', 'two_sided_optical_flow')
#: settings that change what a trained stage is compared with or which
#: stages train, not how one trains (its label files' sha256 stand for the
#: augmentation's)
_NOT_TRAINING = COMPARISON_SETTINGS + AUGMENTATION_SETTINGS


def check_same_settings(stored: Optional[Mapping[str, Any]],
                        settings: BenchmarkSettings, path: str,
                        ignore: Sequence[str] = ()) -> None:
    """Raise ``ValueError`` naming ``path`` unless ``stored`` (a
    :func:`settings_record`, ``None`` if missing) records ``settings``
    (but the settings named in ``ignore``): finished work is reused only
    when it was made the same way."""
    wanted = settings_record(settings)
    stored = stored or {}
    # where things are is not what they are: a run may be copied or moved,
    # and the sha256s stand for the checkpoint's bytes and the configs'
    # content wherever they lie
    differs = sorted(k for k in wanted if k not in _LOCATIONS + tuple(ignore)
                     and stored.get(k) != wanted[k])
    if differs:
        raise ValueError(
            f'{path}: the finished work in {settings.out_dir} was made with '
            f'other settings ({", ".join(differs)} differ or are missing); '
            'move the directory away to run it again')


def check_finished_run(settings: BenchmarkSettings,
                       ignore: Sequence[str] = ()) -> None:
    """Refuse to reuse a finished run made with other settings (but
    those named in ``ignore``; ``ValueError``) or a run that has not
    finished (``FileNotFoundError``)."""
    if not osp.isfile(settings.path('results.json')):
        raise FileNotFoundError(
            f'{settings.path("results.json")}: no finished run in '
            f'{settings.out_dir}; run the job there first')
    path = settings.path('settings.json')
    stored = read_json(path, expect=dict) if osp.isfile(path) else None
    check_same_settings(stored, settings, path, ignore)



def stage_marker(settings: BenchmarkSettings, run_name: str) -> str:
    """``DIR/steps/<run_name>.json``: the marker a trained stage leaves
    (``run_name``: where it trains under ``work_dirs/``)."""
    return settings.path('steps', f'{run_name}.json')


def stage_settings(stage: str, record: Mapping[str, Any]) -> Dict[str, Any]:
    """The settings of a :func:`settings_record` that ``stage``'s
    training depends on: not where things lie, not what only the
    comparison or the other stages use (of the per-stage settings, its
    own config's entry; stage 2 depends on stage 1 through its input
    checkpoint's sha256)."""
    config = stage if stage in STAGES else 'augmented'
    out = {}
    for key, value in record.items():
        if key in _LOCATIONS + _NOT_TRAINING:
            continue
        if key in _PER_STAGE and isinstance(value, Mapping):
            value = value.get(config)
        out[key] = value
    return out


def stage_record(settings: BenchmarkSettings, stage: str,
                 inputs: Sequence[Optional[str]]) -> Optional[Dict[str, Any]]:
    """What a stage's training depends on (``None`` while one of its
    ``inputs`` is not there yet): the settings but where things lie and
    how the comparison fuses two sources (:func:`stage_settings`), and the
    sha256 of its input files (those it reads beside the generated data,
    which the settings determine)."""
    if any(p is None or not osp.isfile(p) for p in inputs):
        return None
    return dict(
        stage=stage,
        settings=stage_settings(stage, settings_record(settings)),
        inputs={osp.relpath(p, settings.out_dir): sha256_of(p)
                for p in inputs})


def marked_checkpoint(settings: BenchmarkSettings, stage: str,
                      done: Mapping[str, Any],
                      record: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The checkpoint a stage's marker ``done`` names if the marker
    records ``record`` (its :func:`stage_record` now; ``None``: not
    known yet) and the checkpoint's sha256 agrees, else ``None``."""
    ckpt = settings.path(done.get('checkpoint', ''))
    if record is not None and isinstance(done.get('settings'), Mapping):
        # a marker may hold settings a stage does not depend on
        done = dict(done, settings=stage_settings(stage, done['settings']))
    if (record is None or any(done.get(k) != record[k] for k in record)
            or not osp.isfile(ckpt)
            or sha256_of(ckpt) != done.get('checkpoint_sha256')):
        return None
    return ckpt


def write_stage_marker(settings: BenchmarkSettings, run_name: str,
                       record: Mapping[str, Any], checkpoint: str) -> None:
    """Leave a trained stage's marker (:func:`stage_marker`): its
    :func:`stage_record`, its checkpoint and the checkpoint's sha256."""
    write_json_atomic(
        stage_marker(settings, run_name),
        dict(record,
             checkpoint=osp.relpath(checkpoint, settings.out_dir),
             checkpoint_sha256=sha256_of(checkpoint)))


def step_settings(record: Mapping[str, Any], configs: Sequence[str],
                  unused: Sequence[str] = ()) -> Dict[str, Any]:
    """The settings of a :func:`settings_record` that a step which is no
    training depends on: not where things lie, not those in ``unused``;
    of the per-stage settings, those of the stage ``configs`` it uses."""
    out = {}
    for key, value in record.items():
        if key in _LOCATIONS or key in unused:
            continue
        if key in _PER_STAGE and isinstance(value, Mapping):
            value = {config: value.get(config) for config in configs}
        out[key] = value
    return out


def step_record(settings: BenchmarkSettings, step: str,
                configs: Sequence[str], inputs: Sequence[Optional[str]],
                unused: Sequence[str] = ()) -> Optional[Dict[str, Any]]:
    """What a finished step's results depend on (``None`` while one of its
    ``inputs`` is not there yet): :func:`step_settings` and the sha256 of
    the files it reads beside the generated data (checkpoints, labels)."""
    if any(p is None or not osp.isfile(p) for p in inputs):
        return None
    return dict(
        step=step,
        settings=step_settings(settings_record(settings), configs, unused),
        inputs={osp.relpath(p, settings.out_dir): sha256_of(p)
                for p in inputs})


def finished_step(settings: BenchmarkSettings, name: str,
                  record: Optional[Mapping[str, Any]]) -> Optional[Any]:
    """The results that step ``name``'s marker (``DIR/steps/<name>.json``)
    holds if it records ``record`` (:func:`step_record`) and every output
    it lists is there with the same sha256; else ``None`` (run the
    step)."""
    path = stage_marker(settings, name)
    if record is None or not osp.isfile(path):
        return None
    done = read_json(path, expect=dict)
    outputs = done.get('outputs')
    if (any(done.get(k) != record[k] for k in record)
            or not isinstance(outputs, Mapping) or 'results' not in done):
        return None
    for rel, sha in outputs.items():
        output = settings.path(rel)
        if not osp.isfile(output) or sha256_of(output) != sha:
            return None
    return done['results']


def write_step_marker(settings: BenchmarkSettings, name: str,
                      record: Optional[Mapping[str, Any]], results: Any,
                      outputs: Sequence[str] = ()) -> None:
    """Leave a finished step's marker: its :func:`step_record`, its
    results and the sha256 of the files it wrote (``outputs``). Nothing
    when ``record`` is ``None`` (an input could not be fingerprinted)."""
    if record is None:
        return
    write_json_atomic(
        stage_marker(settings, name),
        dict(record, results=results,
             outputs={osp.relpath(p, settings.out_dir): sha256_of(p)
                      for p in outputs}))
