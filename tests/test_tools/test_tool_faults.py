"""The fault suite: every tool in tools/, tools/analysis_tools/ and demo/
(found by listing the folders) and the public writer APIs against the
standard faults.

Each tool declares the role of its path options where it parses them
(``utils.cli.add_input`` / ``add_output`` / ``add_checkpoint``); this
module reads the roles from the tool's own parser and builds the cases:

* every output written as a set (``dir``, ``file``, ``files_in``): the
  output is an input, holds an input, lies inside an input folder (each
  with ``--overwrite`` where the tool has it: it must not help); an earlier
  output without ``--overwrite``; SIGINT during the write (with
  ``--overwrite``, over the earlier output);
* a document rewritten in place (``rewritten``): it lacks its markers;
* every JSON input (a file, or each file of a folder): corrupt, truncated,
  valid JSON of another shape;
* every checkpoint: bit-flipped, truncated zip, NaN weights with intact
  CRCs (a diverged training's), another model's;
* the files a folder input holds that the tool reads (a recipe's
  ``members``: a run's results, a work dir's checkpoints and logs): damaged
  as the JSON files and checkpoints above.

Each case must end with exit code 2 (130 for SIGINT) and the offending
file named on stderr, leave every input and earlier output byte-identical
(sha256) and leave nothing behind (no staging folder, no new file). A tool
needs a recipe below (a valid command on the tiny fixtures, and a reason
for each declared option it does not exercise; options that exclude the
recipe's, such as ``publish_results.py --seeds --doc``, get a variant: a
second command whose cases are built for them): a new tool fails
``test_every_tool_has_a_recipe`` until it has one, and one that declares
no roles fails ``test_every_tool_declares_its_paths``.

The tools run in this process (``runpy``, as ``python tools/X.py``
would), failing before their long work; the few full runs use tiny models
on a 9-frame video. A tool is named by its path from the repository root
(``demo/video_demo.py``). The deprecated forwarders of moved scripts
(``utils.cli.MOVED_SCRIPTS``) must build their new script's parser, and
run a case of it with the same result.
"""
import argparse
import glob
import hashlib
import json
import os
import os.path as osp
import runpy
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import pytest

from mmpose_posewarper.utils.cli import MOVED_SCRIPTS, path_options
from mmpose_posewarper.utils.output import OutputSet

from _helpers.jobs import (TINY_DETECTOR, TINY_POSEWARPER, TINY_TOPDOWN,
                           save_detector, save_tiny_model, write_tiny_video)
from .conftest import REPO, SCRIPTS, TINY_CONFIG, data_options

#: the tools (paths from the repository root), forwarders left out
TOOLS = [s for s in SCRIPTS if s not in MOVED_SCRIPTS]
FORWARDERS = sorted(MOVED_SCRIPTS)
NAME = '000001_mpii_test'
SET_KINDS = ('dir', 'file', 'files_in')


# --------------------------------------------------------------- running
class _Parsed(BaseException):
    """Raised instead of parsing: the tool's parser has been captured."""


def tool_parser(path: str) -> argparse.ArgumentParser:
    """The parser the script at ``path`` builds (the first one it parses
    with), captured when it starts parsing."""
    captured = []
    original = argparse.ArgumentParser.parse_known_args

    def capture(self, args=None, namespace=None):
        captured.append(self)
        raise _Parsed

    argparse.ArgumentParser.parse_known_args = capture
    argv = sys.argv
    sys.argv = [path]
    try:
        runpy.run_path(path, run_name='__main__')
    except _Parsed:
        pass
    finally:
        argparse.ArgumentParser.parse_known_args = original
        sys.argv = argv
    assert captured, f'{path} parsed no command line'
    return captured[0]


_PARSERS: Dict[str, argparse.ArgumentParser] = {}


_OWNER: Dict[int, argparse.ArgumentParser] = {}


def parser_of(name: str) -> argparse.ArgumentParser:
    if name not in _PARSERS:
        parser = _PARSERS[name] = tool_parser(osp.join(REPO, name))
        for action in parser._actions:
            _OWNER[id(action)] = parser
    return _PARSERS[name]


def run(name: str, argv: List[str], capsys, sigint_at_write=False):
    """Run ``python <name> ARGV`` (``name``: a path from the repository
    root) in this process; returns (exit code, stderr). ``sigint_at_write``:
    a real SIGINT arrives when the tool asks its output set for the first
    file to write."""
    path = osp.join(REPO, name)
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [path, *argv]
    old_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    original = OutputSet.path
    fired = []

    def path_then_sigint(self, *parts):
        result = original(self, *parts)
        if not fired:
            fired.append(result)
            os.kill(os.getpid(), signal.SIGINT)
        return result

    if sigint_at_write:
        OutputSet.path = path_then_sigint
    try:
        runpy.run_path(path, run_name='__main__')
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None
                                                         else 1)
    except KeyboardInterrupt:
        code = 'an uncaught KeyboardInterrupt'
    finally:
        OutputSet.path = original
        signal.signal(signal.SIGINT, old_int)
        sys.argv = old_argv
        sys.path[:] = old_path
    err = capsys.readouterr().err
    if sigint_at_write:
        assert fired, f'{name} wrote no file through its OutputSet:\n' + \
            err[-3000:]
    return code, err


def snapshot(*roots: str) -> Dict[str, str]:
    """Every file (sha256) and folder under ``roots``."""
    found = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            for d in dirs:
                found[osp.join(folder, d)] = 'folder'
            for f in files:
                path = osp.join(folder, f)
                with open(path, 'rb') as fh:
                    found[path] = hashlib.sha256(fh.read()).hexdigest()
    return found


def assert_unchanged(before: Dict[str, str], after: Dict[str, str]) -> None:
    changed = sorted(p for p in before if after.get(p) != before[p])
    added = sorted(set(after) - set(before))
    assert not changed, f'changed or removed: {changed[:5]}'
    assert not added, f'left behind: {added[:5]}'


# -------------------------------------------------------------- fixtures
@dataclass
class Recipe:
    """A valid command of a tool on the fixtures.

    Attributes:
        argv: The command line (paths absolute); output paths in it are
            fresh locations.
        skip: Declared options (by ``dest``) the suite does not exercise,
            with the reason.
        foreign: Checkpoint options (``dest``) -> another model's
            checkpoint (a checkpoint option without one must say why in
            ``skip_foreign``).
        skip_foreign: ``dest`` -> why no foreign checkpoint applies.
        earlier_run: Whether the command runs to its end (an earlier
            output for the "exists" and SIGINT cases).
        members: Folder options (``dest``) -> the files in the folder
            that the tool reads (paths relative to it): each ``.json`` is
            damaged as a JSON input, each ``.pth`` as a checkpoint (and
            replaced by ``foreign['DEST/MEMBER']`` where given).
        variants: Name -> another valid command (a ``Recipe``) for
            options that exclude this one's; its cases are built for its
            ``options`` only.
        options: (a variant) The options (``dest``) its cases exercise.
    """
    argv: List[str]
    skip: Dict[str, str] = field(default_factory=dict)
    foreign: Dict[str, str] = field(default_factory=dict)
    skip_foreign: Dict[str, str] = field(default_factory=dict)
    earlier_run: bool = True
    members: Dict[str, List[str]] = field(default_factory=dict)
    variants: Dict[str, 'Recipe'] = field(default_factory=dict)
    options: Tuple[str, ...] = ()

    def variant(self, name: Optional[str]) -> 'Recipe':
        return self if name is None else self.variants[name]


class Fixtures:
    """Tiny inputs, made once: a 9-frame PoseTrack18 video (frames, sparse
    and dense labels), tiny PoseWarper and top-down checkpoints, and the
    files each recipe needs. ``root`` holds what the recipes read;
    ``outputs`` what they write."""

    def __init__(self, root: str, posetrack: str):
        self.root = osp.join(root, 'inputs')
        self.outputs = osp.join(root, 'outputs')
        self.work = osp.join(root, 'work')  # MMEngine's logs: not checked
        os.makedirs(self.outputs)
        from pathlib import Path
        self.video = {k: str(v) for k, v in write_tiny_video(
            Path(self.root) / 'video', nframes=9, labeled=(4, )).items()}
        self.dense_file = osp.join(self.video['dense_dir'], f'{NAME}.json')
        ckpts = osp.join(self.root, 'ckpt')
        os.makedirs(ckpts)
        self.posewarper = str(save_tiny_model(
            Path(ckpts) / 'posewarper.pth'))
        self.topdown = str(save_tiny_model(
            Path(ckpts) / 'topdown.pth', config=TINY_TOPDOWN,
            identity=False))
        self.synthetic_model = str(save_tiny_model(
            Path(ckpts) / 'synthetic_posewarper.pth',
            config=Path(TINY_CONFIG)))
        self.detector = str(save_detector(Path(ckpts) / 'detector.pth'))
        # the video's frames as a video file
        self.video_file = self.path('clip', f'{NAME}.mp4')
        os.makedirs(osp.dirname(self.video_file))
        import cv2
        frames = sorted(glob.glob(osp.join(self.video['frame_dir'],
                                           '*.jpg')))
        height, width = cv2.imread(frames[0]).shape[:2]
        writer = cv2.VideoWriter(self.video_file,
                                 cv2.VideoWriter_fourcc(*'mp4v'), 25,
                                 (width, height))
        for frame in frames:
            writer.write(cv2.imread(frame))
        writer.release()
        self.posetrack = posetrack  # the shared synthetic dataset
        self._make_files()

    def path(self, *parts: str) -> str:
        return osp.join(self.root, *parts)

    def out(self, *parts: str) -> str:
        return osp.join(self.outputs, *parts)

    def _make_files(self) -> None:
        import torch
        # --resume's input is a training checkpoint (tools/train.py's), and
        # so is its foreign one
        self.topdown_training = self.path('ckpt', 'topdown_training.pth')
        for src, dst in ((self.synthetic_model, self.synthetic_model),
                         (self.topdown, self.topdown_training)):
            ckpt = torch.load(src, weights_only=True)
            torch.save(dict(ckpt, meta=dict(epoch=1, iter=1),
                            message_hub={}), dst)
        # boxes of the video's two people on every frame
        with open(self.dense_file) as f:
            dense = json.load(f)
        frame_of = {img['id']: t for t, img in enumerate(dense['images'])}
        boxes = [dict(frame_index=frame_of[a['image_id']], bbox=a['bbox'],
                      score=0.9) for a in dense['annotations']]
        with open(self.path('boxes.json'), 'w') as f:
            json.dump(boxes, f)
        # an MMPose 0.x top-down checkpoint (convert_checkpoint's input)
        state = torch.load(self.topdown, weights_only=True)['state_dict']
        os.makedirs(self.path('mmpose0x'))
        torch.save({k.replace('head.final_layer', 'keypoint_head.'
                              'final_layer'): v for k, v in state.items()},
                   self.path('mmpose0x', 'topdown_0x.pth'))
        # CVAT's COCO export of a corrected task, a joint map
        os.makedirs(self.path('export'))
        shutil.copy(osp.join(REPO, 'tests/test_datasets/data/cvat/'
                             'corrected_task_coco.json'),
                    self.path('export', 'task_coco.json'))
        from mmpose_posewarper.datasets.annotation_people import \
            POSETRACK18_KEYPOINTS
        with open(self.path('joint_map.json'), 'w') as f:
            json.dump({n: n for n in POSETRACK18_KEYPOINTS}, f)
        # a pretraining work dir (its MMEngine log: the learning curve) and
        # the provenance an export continues
        os.makedirs(self.path('pretrain_work', 'run1', 'vis_data'))
        with open(self.path('pretrain_work', 'run1', 'vis_data',
                            'scalars.json'), 'w') as f:
            for step in (1, 2, 3):
                f.write(json.dumps({'loss': 0.5, 'time': 0.1, 'step': step})
                        + '\n')
            f.write(json.dumps({'posetrack/AP': 1.0, 'step': 3}) + '\n')
        with open(self.path('provenance.json'), 'w') as f:
            json.dump(dict(iterations=4, learning_curve=[],
                           training_seconds=1, commands=['cmd']), f)
        # a finished main-job run (the published one) and a README
        os.makedirs(self.path('run'))
        from projects.sparse_benchmark.sparse_benchmark.report import (
            PUBLISHED_FILES, README_BEGIN, README_END)
        for name in PUBLISHED_FILES:
            shutil.copy(osp.join(REPO, 'docs', 'results', name),
                        self.path('run', name))
        with open(self.path('README.md'), 'w') as f:
            f.write(f'# x\n\n{README_BEGIN}\nold\n{README_END}\n')
        # a finished several-seed run (the published one) and its document
        from projects.sparse_benchmark.sparse_benchmark.report import (
            SEEDS_BEGIN, SEEDS_END, SEEDS_FILES)
        os.makedirs(self.path('seeds_run'))
        for name in SEEDS_FILES:
            shutil.copy(osp.join(REPO, 'docs', 'results', name),
                        self.path('seeds_run', name))
        with open(self.path('sparse_benchmark.md'), 'w') as f:
            f.write(f'# x\n\n{SEEDS_BEGIN}\nold\n{SEEDS_END}\n')
        # a finished main-job run as the online benchmark reads it: each
        # stage's work dir (its config as MMEngine dumps it, its last
        # checkpoint) and the val videos
        from mmengine.config import Config
        run = self.path('online_run')
        single_frame = Config.fromfile(str(TINY_TOPDOWN))
        single_frame.test_dataloader = dict(dataset=dict(pipeline=[
            dict(type='LoadImage'), dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=single_frame.model.head
                 .decoder.input_size), dict(type='PackPoseInputs')]))
        for stage, config, checkpoint in (
                ('single_frame', single_frame, self.topdown),
                ('posewarper', Config.fromfile(TINY_CONFIG),
                 self.posewarper)):
            work = osp.join(run, 'work_dirs', stage)
            os.makedirs(work)
            config.dump(osp.join(work, f'{stage}.py'))
            shutil.copy(checkpoint, osp.join(work, 'epoch_1.pth'))
            with open(osp.join(work, 'last_checkpoint'), 'w') as f:
                f.write(osp.join(work, 'epoch_1.pth'))
        shutil.copytree(osp.join(self.video['img_root'], 'images'),
                        osp.join(run, 'data', 'images'))
        shutil.copytree(self.video['dense_dir'],
                        osp.join(run, 'data', 'annotations', 'val'))
        # eval_posetrack's predictions: the ground truth itself
        shutil.copytree(self.video['dense_dir'], self.path('predictions'))


def recipes(fx: Fixtures) -> Dict[str, Recipe]:
    v = fx.video
    no_paths = 'reads a config and a frame folder only (no JSON, ' \
        'checkpoint or output): nothing of the standard faults applies'
    return {
        'tools/analysis_tools/benchmark.py': Recipe(
            [], earlier_run=False,
            skip=dict(config=no_paths, single_config=no_paths,
                      frames_dir=no_paths)),
        'tools/analysis_tools/benchmark_online.py': Recipe(
            ['--run', fx.path('online_run')], earlier_run=False,
            members=dict(run=[
                'work_dirs/posewarper/epoch_1.pth',
                'work_dirs/single_frame/epoch_1.pth',
                f'data/annotations/val/{NAME}.json']),
            foreign={'run/work_dirs/posewarper/epoch_1.pth': fx.topdown},
            skip=dict(
                long_clip='a folder of frames only (no JSON, checkpoint or '
                'output; its models are --run\'s): nothing of the standard '
                'faults applies',
                memory_child='internal: the child process of --long-clip, '
                'given the same --run')),
        'tools/convert_checkpoint.py': Recipe(
            ['--src', 'mmpose0x', fx.path('mmpose0x', 'topdown_0x.pth'),
             fx.out('convert', 'out.pth'), '--config', str(TINY_TOPDOWN)],
            foreign=dict(input=fx.posewarper)),
        'tools/analysis_tools/count_params.py': Recipe(
            [str(TINY_POSEWARPER)], earlier_run=False,
            skip=dict(config='a config only: nothing of the standard '
                      'faults applies')),
        'tools/eval_posetrack.py': Recipe(
            [v['dense_dir'], fx.path('predictions')], earlier_run=False),
        'tools/export_pretrained.py': Recipe(
            [fx.path('pretrain_work'), '--checkpoint', fx.posewarper,
             '--out-dir', fx.out('export'), '--name', 'tiny',
             '--continues', fx.path('provenance.json')],
            members=dict(work_dir=['run1/vis_data/scalars.json']),
            skip_foreign=dict(checkpoint='any MMEngine checkpoint is '
                              'exportable: there is no model to fit')),
        'tools/generate_synthetic_posetrack.py': Recipe(
            ['--out', fx.out('synthetic'), '--train-videos', '1',
             '--val-videos', '0', '--frames', '2', '2', '--size', '32',
             '32']),
        'tools/import_annotations.py': Recipe(
            [fx.path('export', 'task_coco.json'), '--video', NAME,
             '--frames-from', v['sparse_file'], '--img-root', v['img_root'],
             '--joint-map', fx.path('joint_map.json'), '--out-dir',
             fx.out('import')]),
        'tools/propagate_labels.py': Recipe(
            [str(TINY_POSEWARPER), fx.posewarper, '--ann-dir',
             v['sparse_dir'], '--img-root', v['img_root'], '--eval',
             v['dense_dir'], '--k', '1', '--out-dir', fx.out('propagated')],
            foreign=dict(checkpoint=fx.topdown),
            skip=dict(joint_map='CVAT/COCO input only: the reader of '
                      'import_annotations.py --joint-map')),
        'tools/publish_results.py': Recipe(
            [fx.path('run'), '--to', fx.out('published'), '--readme',
             fx.path('README.md')],
            members=dict(run_dir=['results.json', 'controls.json']),
            variants=dict(seeds=Recipe(
                [fx.path('seeds_run'), '--seeds', '--to',
                 fx.out('published_seeds'), '--doc',
                 fx.path('sparse_benchmark.md')],
                options=('doc', ), members=dict(run_dir=['seeds.json'])))),
        'tools/run_sparse_benchmark.py': Recipe(
            ['--out', fx.out('sparse_benchmark'), '--quick',
             '--pretrained', fx.topdown], earlier_run=False,
            foreign=dict(pretrained=fx.posewarper),
            variants=dict(quality=Recipe(
                ['--out', fx.out('quality'), '--quick', '--quality',
                 fx.topdown], earlier_run=False, options=('quality', ),
                foreign=dict(quality=fx.posewarper)))),
        'tools/test.py': Recipe(
            [TINY_CONFIG, fx.synthetic_model, '--work-dir',
             osp.join(fx.work, 'test'), '--out',
             fx.out('test', 'metrics.json'), '--dump',
             fx.out('test', 'preds.pkl'), '--cfg-options',
             *data_options(fx.posetrack)],
            foreign=dict(checkpoint=fx.topdown)),
        'tools/train.py': Recipe(
            [TINY_CONFIG, '--work-dir', osp.join(fx.work, 'train'),
             '--resume', fx.synthetic_model, '--cfg-options',
             *data_options(fx.posetrack)], earlier_run=False,
            foreign=dict(resume=fx.topdown_training)),
        'demo/video_demo.py': Recipe(
            [str(TINY_POSEWARPER), fx.posewarper, '--input',
             v['frame_dir'], '--output-root', fx.out('demo'), '--bboxes',
             fx.path('boxes.json'), '--gt-file', fx.dense_file,
             '--frame-out', fx.out('demo_frame', 'frame.jpg')],
            foreign=dict(pose_checkpoint=fx.topdown),
            variants=dict(detector=Recipe(
                [str(TINY_POSEWARPER), fx.posewarper, '--input',
                 v['frame_dir'], '--output-root', fx.out('demo_det'),
                 '--det-config', str(TINY_DETECTOR), '--det-checkpoint',
                 fx.detector], earlier_run=False,
                options=('det_config', 'det_checkpoint'),
                foreign=dict(det_checkpoint=fx.topdown)))),
    }


@pytest.fixture(scope='module')
def fx(tmp_path_factory, tiny_posetrack):
    return Fixtures(str(tmp_path_factory.mktemp('faults')), tiny_posetrack)


# ----------------------------------------------------------------- cases
#: where ``_recipe_stub`` puts the fixtures (what the recipes read) when the
#: cases are collected, before the fixtures exist
_STUB_ROOT = '/in'


def _outputs(parser):
    return [a for a in path_options(parser) if a.path_role == 'output']


def _value(argv: List[str], action) -> Optional[str]:
    """The value of ``action`` in ``argv`` (first one of ``nargs='+'``)."""
    if action.option_strings:
        for i, item in enumerate(argv):
            if item in action.option_strings and i + 1 < len(argv):
                return argv[i + 1]
        return None
    parser = _OWNER[id(action)]
    positionals = [a for a in parser._actions if not a.option_strings]
    values = _positional_values(argv, parser)
    index = positionals.index(action)
    return values[index] if index < len(values) else None


def _positional_values(argv: List[str], parser) -> List[str]:
    """The positional values of ``argv`` (options and their values
    skipped; enough for the recipes' command lines)."""
    takes = {}
    for a in parser._actions:
        for s in a.option_strings:
            takes[s] = a.nargs
    values, i = [], 0
    while i < len(argv):
        item = argv[i]
        if item in takes:
            nargs = takes[item]
            if nargs == 0:
                i += 1
            elif nargs in ('+', '*'):
                i += 1
                while i < len(argv) and not argv[i].startswith('--'):
                    i += 1
            elif isinstance(nargs, int):
                i += 1 + nargs
            else:
                i += 2
            continue
        values.append(item)
        i += 1
    return values


def _replace(argv: List[str], old: str, new: str) -> List[str]:
    assert old in argv, (old, argv)
    return [new if a == old else a for a in argv]


@dataclass
class Case:
    tool: str
    name: str
    make: Callable  # (fx, tmp, argv) -> (argv, offending paths, code)
    sigint: bool = False
    needs_earlier: bool = False
    variant: Optional[str] = None  # the recipe's variant it runs
    says: str = ''  # what stderr must also say (beside the file)

    def __str__(self):
        where = f'[{self.variant}]' if self.variant else ''
        return f'{self.tool}{where}:{self.name}'


def _fresh_outputs(parser, argv: List[str], tmp: str) -> List[str]:
    """``argv`` with each set output moved to a fresh place in ``tmp``."""
    for action in _outputs(parser):
        value = _value(argv, action)
        if value is not None and action.path_kind in SET_KINDS:
            argv = _replace(argv, value,
                            osp.join(tmp, 'fresh', action.dest,
                                     osp.basename(value)))
    return argv


def _with_overwrite(parser, argv: List[str]) -> List[str]:
    has = any('--overwrite' in a.option_strings for a in parser._actions)
    return argv + ['--overwrite'] if has else argv


def _damage_json(path: str, how: str) -> List[str]:
    """Damage ``path`` (a JSON file, or every one of a folder)."""
    files = sorted(glob.glob(osp.join(path, '**', '*.json'),
                             recursive=True)) if osp.isdir(path) else [path]
    assert files, path
    for f in files:
        with open(f, 'rb') as fh:
            data = fh.read()
        with open(f, 'wb') as fh:
            fh.write(JSON_FAULTS[how](data))
    return files


#: how a JSON input is damaged: its bytes -> the damaged bytes
JSON_FAULTS = {
    'corrupt': lambda data: b'{"images": [1, 2,, ]}\n' + data[:20],
    'truncated': lambda data: data[:len(data) // 2],
    # valid JSON of another shape (a reader that indexes it unchecked
    # fails with a TypeError or KeyError naming no file)
    'wrong-shape': lambda data: b'[["not"], "this file"]\n',
}
#: how a checkpoint is damaged -> what stderr says besides the file
CHECKPOINT_FAULTS = {'bit-flipped': '', 'truncated': '',
                     'NaN-weights': 'NaN or infinite'}


def _damage_checkpoint(path: str, how: str) -> None:
    import zipfile
    if how == 'NaN-weights':
        # a diverged training's checkpoint: saved whole (CRCs intact)
        import torch

        from mmpose_posewarper.utils.checkpoint import \
            allow_mmengine_checkpoints
        allow_mmengine_checkpoints()
        ckpt = torch.load(path, weights_only=True)
        state = ckpt.get('state_dict', ckpt)
        name = next(k for k, v in state.items() if v.is_floating_point())
        state[name] = torch.full_like(state[name], float('nan'))
        torch.save(ckpt, path)
        return
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    if how == 'truncated':
        data = data[:len(data) // 2]
    else:  # flip a byte inside the largest member's data
        with zipfile.ZipFile(path) as archive:
            info = max(archive.infolist(), key=lambda i: i.compress_size)
        data[info.header_offset + 200] ^= 0xFF
    with open(path, 'wb') as f:
        f.write(bytes(data))


def _may_be_dir(action) -> bool:
    return action.path_kind in ('dir', 'json_or_dir', 'video')


def _may_be_file(action) -> bool:
    return action.path_role == 'checkpoint' or action.path_kind != 'dir'


def cases_of(tool: str, parser, recipe: Recipe,
             variant: Optional[str] = None) -> List[Case]:
    """The cases of ``recipe`` (the tool's, or its ``variant``): for every
    declared option it exercises (a variant: its ``options``; the tool's
    recipe: those no variant exercises), built from the recipe's command
    line (with the stand-in paths of ``_recipe_stub`` at collection), and
    for the files in its folder inputs that it names in ``members``."""
    cases = []
    actions = path_options(parser)
    if variant is None:
        others = {o for v in recipe.variants.values() for o in v.options}
        wanted = [a for a in actions if a.dest not in recipe.skip
                  and a.dest not in others]
    else:
        wanted = [a for a in actions if a.dest in recipe.options]
    outputs = [a for a in wanted if a.path_role == 'output']
    set_outputs = [a for a in outputs if a.path_kind in SET_KINDS]
    inputs = [a for a in wanted if a.path_role in ('input', 'checkpoint')]

    def add(name, make, **kw):
        cases.append(Case(tool, name, make, variant=variant, **kw))

    def input_values(argv, fx_root):
        """The inputs of ``argv`` among the fixtures (an output case never
        points into the repository)."""
        return [(a, _value(argv, a)) for a in path_options(parser)
                if a.path_role in ('input', 'checkpoint')
                and a.dest not in recipe.skip
                and _value(argv, a) is not None
                and _value(argv, a).startswith(fx_root + os.sep)]

    # what the recipe reads among the fixtures, by declared kind: an
    # output case is built only where such an input exists
    declared = [a for a, _ in input_values(recipe.argv, _STUB_ROOT)]
    replaceable = [a for a in declared if 'replace' not in a.path_note]
    for out in set_outputs:
        def is_input(fx, tmp, argv, out=out):
            argv = _fresh_outputs(parser, argv, tmp)
            values = [(a, p) for a, p in input_values(argv, fx.root)
                      if 'replace' not in a.path_note]
            # a folder for a folder output, a file for a file
            want_dir = out.path_kind != 'file'
            pick = [p for _, p in values if osp.isdir(p) == want_dir] or \
                [p for _, p in values]
            target = pick[0]
            argv = _replace(argv, _value(argv, out), target)
            return _with_overwrite(parser, argv), [target], 2

        if replaceable:
            add(f'{out.dest}=an input', is_input)
        if out.path_kind == 'dir' and any(map(_may_be_file, declared)):
            def holds_input(fx, tmp, argv, out=out):
                argv = _fresh_outputs(parser, argv, tmp)
                files = [p for _, p in input_values(argv, fx.root)
                         if not osp.isdir(p)]
                target = osp.dirname(files[0])
                argv = _replace(argv, _value(argv, out), target)
                return _with_overwrite(parser, argv), [target], 2

            add(f'{out.dest} holds an input', holds_input)

        if any(map(_may_be_dir, declared)):
            def inside_input(fx, tmp, argv, out=out):
                argv = _fresh_outputs(parser, argv, tmp)
                folders = [p for _, p in input_values(argv, fx.root)
                           if osp.isdir(p)]
                target = osp.join(folders[0], 'new_output',
                                  osp.basename(_value(argv, out)))
                argv = _replace(argv, _value(argv, out), target)
                return _with_overwrite(parser, argv), [target], 2

            add(f'{out.dest} inside an input folder', inside_input)
    if set_outputs and recipe.earlier_run:
        has_overwrite = any('--overwrite' in a.option_strings
                            for a in parser._actions)

        def exists(fx, tmp, argv):
            return argv, [_value(argv, a) for a in set_outputs], 2

        if has_overwrite:
            add('earlier output without --overwrite', exists,
                needs_earlier=True)

        def sigint(fx, tmp, argv):
            return (_with_overwrite(parser, argv),
                    [], 128 + signal.SIGINT)

        add('SIGINT during the write', sigint, sigint=True,
            needs_earlier=True)
    for out in outputs:
        if out.path_kind == 'rewritten':
            def no_markers(fx, tmp, argv, out=out):
                doc = osp.join(tmp, 'doc', osp.basename(_value(argv, out)))
                os.makedirs(osp.dirname(doc))
                with open(doc, 'w') as f:
                    f.write('# a document without the markers\n')
                argv = _replace(argv, _value(argv, out), doc)
                # an earlier output that differs from what this run would
                # write: a write before the document is checked shows
                for other in _outputs(parser):
                    earlier = _value(argv, other)
                    if other.path_kind not in SET_KINDS or earlier is None:
                        continue
                    copy = osp.join(tmp, 'earlier', other.dest)
                    shutil.copytree(earlier, copy)
                    for folder, _, files in os.walk(copy):
                        for name in files:
                            with open(osp.join(folder, name), 'ab') as f:
                                f.write(b'\n')
                    argv = _replace(argv, earlier, copy)
                return argv, [doc], 2

            add(f'{out.dest} without its markers', no_markers,
                needs_earlier=True)
    for inp in inputs:
        if inp.path_role == 'input' and inp.path_kind in ('json',
                                                          'json_or_dir'):
            for how in JSON_FAULTS:
                def json_case(fx, tmp, argv, inp=inp, how=how):
                    argv = _fresh_outputs(parser, argv, tmp)
                    value = _value(argv, inp)
                    copy = osp.join(tmp, 'damaged', osp.basename(value))
                    os.makedirs(osp.dirname(copy))
                    (shutil.copytree if osp.isdir(value) else
                     shutil.copyfile)(value, copy)
                    files = _damage_json(copy, how)
                    return _replace(argv, value, copy), files, 2

                add(f'{how} JSON {inp.dest}', json_case)
        if inp.path_role == 'checkpoint':
            for how, says in CHECKPOINT_FAULTS.items():
                def ckpt_case(fx, tmp, argv, inp=inp, how=how):
                    argv = _fresh_outputs(parser, argv, tmp)
                    value = _value(argv, inp)
                    copy = osp.join(tmp, 'damaged', osp.basename(value))
                    os.makedirs(osp.dirname(copy))
                    shutil.copyfile(value, copy)
                    _damage_checkpoint(copy, how)
                    return _replace(argv, value, copy), [copy], 2

                add(f'{how} checkpoint {inp.dest}', ckpt_case, says=says)
            if inp.dest in recipe.foreign:
                def foreign(fx, tmp, argv, inp=inp):
                    argv = _fresh_outputs(parser, argv, tmp)
                    value = _value(argv, inp)
                    # the fixtures' recipe (``recipe`` holds the stub's paths)
                    other = recipes(fx)[tool].variant(variant).foreign[
                        inp.dest]
                    return _replace(argv, value, other), [other], 2

                add(f'foreign checkpoint {inp.dest}', foreign,
                    says='does not fit')
    for inp in actions:
        for member in recipe.members.get(inp.dest, ()):
            faults = (dict.fromkeys(JSON_FAULTS, '')
                      if member.endswith('.json') else CHECKPOINT_FAULTS)
            if f'{inp.dest}/{member}' in recipe.foreign:
                faults = dict(faults, foreign='does not fit')
            for how, says in faults.items():
                def member_case(fx, tmp, argv, inp=inp, member=member,
                                how=how):
                    argv = _fresh_outputs(parser, argv, tmp)
                    value = _value(argv, inp)
                    copy = osp.join(tmp, 'damaged', osp.basename(value))
                    shutil.copytree(value, copy, symlinks=True)
                    target = osp.join(copy, member)
                    assert osp.isfile(target), target
                    if how == 'foreign':
                        shutil.copyfile(
                            recipes(fx)[tool].variant(variant).foreign[
                                f'{inp.dest}/{member}'], target)
                    elif member.endswith('.json'):
                        _damage_json(target, how)
                    else:
                        _damage_checkpoint(target, how)
                    return _replace(argv, value, copy), [target], 2

                add(f'{how} {member} in {inp.dest}', member_case, says=says)
    return cases


# ----------------------------------------------------------------- tests

def _recipe_stub():
    """The recipes' option names without building the fixtures: the
    fixtures' paths under ``/in`` (what the recipes read), the outputs
    under ``/out``."""

    class Stub:
        video = {k: osp.join(_STUB_ROOT, 'video', k) for k in (
            'dense_dir', 'sparse_dir', 'sparse_file', 'img_root',
            'frame_dir')}
        dense_file = osp.join(_STUB_ROOT, 'video', 'dense.json')
        posewarper = topdown = synthetic_model = detector = \
            topdown_training = osp.join(_STUB_ROOT, 'ckpt', 'model.pth')
        posetrack = work = '/w'

        def path(self, *parts):
            return osp.join(_STUB_ROOT, *parts)

        def out(self, *parts):
            return osp.join('/out', *parts)

    return recipes(Stub())


RECIPES = _recipe_stub()
ALL_CASES = [
    case for path in TOOLS if path in RECIPES
    for variant in (None, *RECIPES[path].variants)
    for case in cases_of(path, parser_of(path),
                         RECIPES[path].variant(variant), variant)]


@pytest.mark.parametrize('path', TOOLS)
def test_every_tool_declares_its_paths(path):
    """A tool's path options carry their role (utils.cli.add_input /
    add_output / add_checkpoint)."""
    assert path_options(parser_of(path)), (
        f'{path}: no option declared with utils.cli.add_input / add_output '
        '/ add_checkpoint')


@pytest.mark.parametrize('path', TOOLS)
def test_every_numeric_option_has_a_range(path):
    """Numbers are checked where they are parsed (utils.cli.int_at_least /
    float_in): no bare int or float option, and a value far below every
    range is a usage error."""
    actions = [a for a in parser_of(path)._actions if a.option_strings]
    bare = [a.option_strings[0] for a in actions if a.type in (int, float)]
    assert not bare, (f'{path}: {", ".join(bare)} parsed without a range '
                      '(use utils.cli.int_at_least or float_in)')
    for action in actions:
        if getattr(action.type, '__name__', '').startswith(('int >=',
                                                            'number in')):
            with pytest.raises(argparse.ArgumentTypeError, match='must be'):
                action.type('-1000000')


def _roles(parser):
    return [(a.dest, a.path_role, a.path_kind) for a in path_options(parser)]


@pytest.mark.parametrize('old', FORWARDERS)
def test_a_forwarder_builds_its_new_scripts_parser(old):
    """A moved script's old path forwards to the new one: the parser it
    parses with is the new script's, with the same declared paths."""
    assert _roles(parser_of(old)) == _roles(parser_of(MOVED_SCRIPTS[old]))


@pytest.mark.parametrize('name', TOOLS)
def test_every_tool_has_a_recipe(name):
    """Each declared option is exercised by the tool's recipe or one of its
    variants, or skipped with a reason; each checkpoint has a foreign one
    or a reason; each folder whose files a recipe damages holds them."""
    assert name in RECIPES, f'{name}: add a recipe to {__file__}'
    main = RECIPES[name]
    declared = {a.dest: a for a in path_options(parser_of(name))}
    for variant, recipe in main.variants.items():
        unknown = set(recipe.options) - set(declared)
        assert not unknown, f'{name}[{variant}]: options {unknown}'
    for action in declared.values():
        if action.dest in main.skip:
            assert main.skip[action.dest]
            continue
        recipe = next((v for v in main.variants.values()
                       if action.dest in v.options), main)
        assert _value(recipe.argv, action) is not None, (
            f'{name}: {action.dest} is declared but neither in the recipe '
            '(or a variant that names it in its options) nor skipped with '
            'a reason')
        if action.path_role == 'checkpoint':
            assert action.dest in recipe.foreign or \
                recipe.skip_foreign.get(action.dest), action.dest
        if action.path_role == 'output' and action.path_kind not in \
                SET_KINDS + ('rewritten', ):
            assert action.path_note, f'{name}: {action.dest} is no set: ' \
                'say why (note=)'
    for recipe in (main, *main.variants.values()):
        assert set(recipe.members) <= set(declared), recipe.members
        if recipe.earlier_run:
            assert any(a.path_role == 'output' for a in declared.values())


_EARLIER: Dict[tuple, Dict[str, str]] = {}


def _earlier_run(tool: str, variant: Optional[str], fx: Fixtures,
                 capsys) -> None:
    """Run the recipe (or its variant) once to its end: the earlier
    outputs."""
    if (tool, variant) not in _EARLIER:
        argv = recipes(fx)[tool].variant(variant).argv
        code, err = run(tool, argv, capsys)
        assert code == 0, err[-3000:]
        _EARLIER[tool, variant] = snapshot(fx.outputs)


@pytest.mark.parametrize('case', ALL_CASES, ids=str)
def test_fault(case: Case, fx: Fixtures, tmp_path, capsys):
    _check(case, case.tool, fx, tmp_path, capsys)


#: per forwarder, its new script's first case that needs no earlier run
FORWARDED_CASES = [
    (old, next(c for c in ALL_CASES if c.tool == MOVED_SCRIPTS[old]
               and not c.needs_earlier and not c.sigint))
    for old in FORWARDERS
    if any(c.tool == MOVED_SCRIPTS[old] for c in ALL_CASES)]


@pytest.mark.parametrize('old,case', FORWARDED_CASES,
                         ids=[f'{old}:{case.name}'
                              for old, case in FORWARDED_CASES])
def test_a_fault_through_a_forwarder(old, case, fx, tmp_path, capsys):
    """The old path of a moved script ends a fault case as the new one
    does (exit code, message, nothing changed), after its deprecation."""
    err = _check(case, old, fx, tmp_path, capsys)
    assert f'DeprecationWarning: {old} has moved to {MOVED_SCRIPTS[old]}' \
        in err


def _check(case: Case, script: str, fx: Fixtures, tmp_path,
           capsys) -> str:
    """Run ``case`` with ``script`` (the case's tool, or a forwarder to
    it); returns its stderr."""
    recipe = recipes(fx)[case.tool].variant(case.variant)
    if case.needs_earlier:
        _earlier_run(case.tool, case.variant, fx, capsys)
    argv, offending, expected = case.make(fx, str(tmp_path),
                                          list(recipe.argv))
    # the run's temporary files go where they are checked too
    temp = tmp_path / 'tempdir'
    temp.mkdir()
    roots = (fx.root, fx.outputs, str(tmp_path))
    before = snapshot(*roots)
    old_temp, tempfile.tempdir = tempfile.tempdir, str(temp)
    try:
        code, err = run(script, argv, capsys, sigint_at_write=case.sigint)
    finally:
        tempfile.tempdir = old_temp
    # (an uncaught exception fails the test: run() lets it through)
    assert code == expected, err[-3000:]
    assert_unchanged(before, snapshot(*roots))
    if offending:
        assert any(str(p) in err for p in offending), (
            f'none of {offending} named on stderr:\n{err[-3000:]}')
    assert case.says in err, err[-3000:]
    return err


# ------------------------------------------------------ public writer API
INFERENCER_CASES = ('vis_out_dir inside the input folder',
                    'pred_out_dir is the input folder',
                    'vis_out_dir is the input video\'s folder',
                    'earlier outputs without overwrite',
                    'SIGINT during the loop', 'bit-flipped checkpoint',
                    'truncated checkpoint', 'NaN-weights checkpoint',
                    'foreign checkpoint')


@pytest.mark.parametrize('case', INFERENCER_CASES)
def test_inferencer_faults(case, fx, tmp_path):
    """``PoseWarperInferencer(...)(frames, vis_out_dir=, pred_out_dir=)``,
    the package's public writer, against the same faults: the error names
    the file, nothing changes, nothing is left behind."""
    from mmpose_posewarper.apis.inferencer import PoseWarperInferencer
    from mmpose_posewarper.utils.checkpoint import CheckpointError
    from mmpose_posewarper.utils.output import (OutputConflictError,
                                                OutputExistsError)
    frames = fx.video['frame_dir']
    earlier = osp.join(fx.outputs, 'inferencer')
    kw = dict(vis_out_dir=osp.join(earlier, 'vis'),
              pred_out_dir=osp.join(earlier, 'pred'))
    if not osp.isdir(earlier):  # the earlier outputs
        inferencer = PoseWarperInferencer(str(TINY_POSEWARPER),
                                          fx.posewarper)
        assert len(list(inferencer(frames, **kw))) == 9
    checkpoint, error, offending = fx.posewarper, None, None
    if case.endswith('checkpoint'):
        checkpoint = offending = osp.join(str(tmp_path), 'model.pth')
        if case.startswith('foreign'):
            shutil.copyfile(fx.topdown, checkpoint)
        else:
            shutil.copyfile(fx.posewarper, checkpoint)
            _damage_checkpoint(checkpoint, case.split()[0])
    roots = (fx.root, fx.outputs, str(tmp_path))
    before = snapshot(*roots)
    if case.endswith('checkpoint'):
        with pytest.raises(CheckpointError) as info:
            PoseWarperInferencer(str(TINY_POSEWARPER), checkpoint)
        error = info.value
    else:
        inferencer = PoseWarperInferencer(str(TINY_POSEWARPER),
                                          fx.posewarper)
        # (the case names share their first word: match the whole start)
        if case.startswith('vis_out_dir inside'):
            offending = osp.join(frames, 'vis')
            with pytest.raises(OutputConflictError) as info:
                list(inferencer(frames, overwrite=True,
                                vis_out_dir=offending))
        elif case.startswith('pred_out_dir is'):
            offending = frames
            with pytest.raises(OutputConflictError) as info:
                list(inferencer(frames, overwrite=True,
                                pred_out_dir=offending))
        elif case.startswith('vis_out_dir is'):
            # <name>.mp4 of a video input <name>.mp4 in its own folder
            offending = fx.video_file
            with pytest.raises(OutputConflictError) as info:
                list(inferencer(fx.video_file, overwrite=True,
                                vis_out_dir=osp.dirname(fx.video_file)))
        elif case.startswith('earlier'):
            offending = earlier
            with pytest.raises(OutputExistsError) as info:
                list(inferencer(frames, **kw))
        else:
            old = signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                with pytest.raises(KeyboardInterrupt) as info:
                    for t, _ in enumerate(inferencer(frames, overwrite=True,
                                                     **kw)):
                        if t == 4:
                            os.kill(os.getpid(), signal.SIGINT)
            finally:
                signal.signal(signal.SIGINT, old)
        error = info.value
    assert_unchanged(before, snapshot(*roots))
    if offending:
        assert offending in str(error), str(error)
