"""Online (causal) against offline aggregation: accuracy, time per frame and
memory, with the main job's trained models.

    # after README command 1
    python tools/analysis_tools/benchmark_online.py
    # + peak RSS on a long clip
    python tools/analysis_tools/benchmark_online.py --long-clip DIR

``accuracy``: on every val video of a main-job run (``--run``, default
``work_dirs/sparse_benchmark``), with the ground-truth boxes, each way of
inferring is run over every frame, its predictions written as PoseTrack18
files and scored with the package's PoseTrack AP
(:func:`~mmpose_posewarper.evaluation.functional.posetrack_ap.evaluate_posetrack_dirs`,
as ``tools/eval_posetrack.py``). The ways, all through
:func:`~mmpose_posewarper.apis.iter_inference_posewarper` except the first:

* ``single-frame model``: the job's single-frame estimator (stage 1,
  ``inference_topdown``);
* ``PoseWarper, frame t only``: the trained PoseWarper with the window
  ``(0, )`` (its stage-1 backbone, the warp of t toward itself);
* ``online``: ``online=True`` (t, t-1, t-2 with 0.65, 0.25, 0.1);
* ``online, weights renormalised``: the causal window with the offline
  weights of t, t-1, t-2 scaled to sum 1 (0.46, 0.38, 0.15): the other
  obvious choice, for comparison;
* ``offline``: the original's window t-2..t+2 (the default).

Time per frame is the compute of a frame (wall time of the ``next`` that
yields it, frame reading and cropping included), averaged over all val
frames; the ways run video by video in turn, so a shared machine's load hits
them alike. The output delay is the number of frames read before a frame's
result can come out (0 online, 2 offline).

``memory``: one subprocess per mode runs the trained PoseWarper over a long
generated clip (``--long-clip``: a dataset of
``tools/generate_synthetic_posetrack.py`` with one val video; one box per
frame, the whole frame, since the generated people leave a long clip's
scene), reading the frames one by one from disk and dropping each result,
and reports its peak
RSS (``ru_maxrss``: Python, torch and the model included), the RSS after
the model is built, and the RSS at 10% and at the end of the clip (constant
memory: no growth with the clip's length).
"""
import argparse
import itertools
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmpose_posewarper.apis.ground_truth import ground_truth_boxes
from mmpose_posewarper.apis.inference import (iter_inference_posewarper,
                                              iter_inference_topdown)
from mmpose_posewarper.apis.inferencer import instance_dicts
from mmpose_posewarper.apis.model import init_model
from mmpose_posewarper.apis.video_io import FrameReader
from mmpose_posewarper.datasets.posetrack_io import (list_posetrack_dir,
                                                     load_posetrack_video,
                                                     write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_predictions import posetrack18_video
from mmpose_posewarper.evaluation.functional.posetrack_ap import \
    evaluate_posetrack_dirs
from mmpose_posewarper.utils.checkpoint import last_checkpoint
from mmpose_posewarper.utils.cli import add_input, int_at_least

from .meters import peak_rss_mb, rss_mb
from .settings import ROOT

#: the fewest frames a memory run measures: it reads the RSS at 10% of them
MIN_MEMORY_FRAMES = 10

#: The ways compared: name -> (model, inference keyword arguments, delay).
MODES = {
    'single-frame model': ('single_frame', None, 0),
    'PoseWarper, frame t only': ('posewarper',
                                 dict(frame_offsets=(0, ),
                                      frame_weights=(1.0, )), 0),
    'online': ('posewarper', dict(online=True), 0),
    'online, weights renormalised': ('posewarper',
                                     dict(
                                         frame_offsets=(0, -2, -1),
                                         frame_weights=(0.3 / 0.65,
                                                        0.1 / 0.65,
                                                        0.25 / 0.65)), 0),
    'offline': ('posewarper', dict(), 2),
}


def _stage(run_dir: str, stage: str) -> Dict[str, str]:
    """Config and last checkpoint of a stage of a main-job run, both from
    the stage's own directory (``utils.last_checkpoint``: a copied or moved
    run stays usable)."""
    work = osp.join(run_dir, 'work_dirs', stage)
    configs = [f for f in sorted(os.listdir(work)) if f.endswith('.py')] \
        if osp.isdir(work) else []
    try:
        if not configs:
            raise FileNotFoundError(f'{work}: no config')
        checkpoint = last_checkpoint(work)
    except FileNotFoundError as e:
        raise FileNotFoundError(
            f'no config and checkpoint of a finished {stage} stage ({e}); '
            'run README command 1 first (tools/run_sparse_benchmark.py '
            f'--out {run_dir})') from e
    return dict(config=osp.join(work, configs[0]), checkpoint=checkpoint)


def measure_accuracy(run_dir: str, device: str = 'cpu',
                     modes: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """mAP and time per frame of each way on the run's val videos.

    Returns:
        dict: mode -> ``mAP``, ``ms_per_frame``, ``delay_frames``; and
        ``frames``, ``videos``.
    """
    modes = list(modes or MODES)
    data = osp.join(run_dir, 'data')
    gt_dir = osp.join(data, 'annotations', 'val')
    models = {
        stage: init_model(**_stage(run_dir, stage), device=device)
        for stage in {MODES[m][0]
                      for m in modes}
    }
    # the predictions are scored, then removed (also on an error)
    with tempfile.TemporaryDirectory(prefix='online_benchmark_') as out_dir:
        return _measure_accuracy(models, gt_dir, data, modes, out_dir)


def _measure_accuracy(models: Dict[str, Any], gt_dir: str, data: str,
                      modes: Sequence[str], out_dir: str) -> Dict[str, Any]:
    seconds = {m: 0.0 for m in modes}
    frames = 0
    gt_files = list_posetrack_dir(gt_dir)
    for gt_file in gt_files:
        name = osp.splitext(osp.basename(gt_file))[0]
        gt = load_posetrack_video(gt_file)
        boxes = ground_truth_boxes(gt, gt_file)
        folder = osp.join(data, 'images', 'val', name)
        frames += len(boxes)
        for mode in modes:  # in turn: load hits every mode alike
            stage, kwargs, _ = MODES[mode]
            model = models[stage]
            samples = (
                iter_inference_topdown(model, FrameReader(folder),
                                       lambda t, _: boxes[t])
                if kwargs is None else
                iter_inference_posewarper(model, folder, boxes, **kwargs))
            people = []
            while True:
                start = time.perf_counter()
                try:
                    sample = next(samples)
                except StopIteration:
                    break
                seconds[mode] += time.perf_counter() - start
                inst = sample.pred_instances
                # ground-truth boxes: one person per box, in file order
                inst.track_ids = np.arange(len(inst))
                people.append(instance_dicts(sample))
            pred_dir = osp.join(out_dir, mode.replace(' ', '_').replace(
                ',', ''))
            os.makedirs(pred_dir, exist_ok=True)
            write_posetrack_video(
                osp.join(pred_dir, f'{name}.json'),
                posetrack18_video(name, people))
    result: Dict[str, Any] = dict(frames=frames, videos=len(gt_files))
    for mode in modes:
        pred_dir = osp.join(out_dir, mode.replace(' ', '_').replace(',', ''))
        ap = evaluate_posetrack_dirs(gt_dir, pred_dir)
        result[mode] = dict(
            mAP=round(float(ap['Total']), 1),
            ms_per_frame=round(1000 * seconds[mode] / frames, 1),
            delay_frames=MODES[mode][2])
    return result


def long_clip_video(clip: str) -> Tuple[str, int]:
    """The frame folder of ``--long-clip``'s one val video and its number of
    frames (at least :data:`MIN_MEMORY_FRAMES`); a ValueError names what is
    wrong."""
    val = osp.join(clip, 'images', 'val')
    if not osp.isdir(val):
        raise FileNotFoundError(f'--long-clip {clip}: no images/val folder '
                                '(a dataset of '
                                'tools/generate_synthetic_posetrack.py)')
    videos = os.listdir(val)
    if len(videos) != 1:
        raise ValueError(f'--long-clip {clip}: images/val: expected one '
                         f'video, found {len(videos)}')
    folder = osp.join(val, videos[0])
    num_frames = len(FrameReader(folder))
    if num_frames < MIN_MEMORY_FRAMES:
        raise ValueError(f'--long-clip {clip}: {folder} has {num_frames} '
                         f'frames; a memory run needs at least '
                         f'{MIN_MEMORY_FRAMES}')
    return folder, num_frames


def measure_memory(run_dir: str,
                   clip: str,
                   online: bool,
                   device: str = 'cpu',
                   max_frames: Optional[int] = None) -> Dict[str, float]:
    """Peak RSS of the trained PoseWarper over the long clip (its first
    ``max_frames`` frames when given; call in a fresh process:
    ``ru_maxrss`` is the process's peak)."""
    folder, num_frames = long_clip_video(clip)
    frames: Any = folder
    if max_frames is not None and max_frames < num_frames:
        # a stream of the first frames, read one by one as the folder is
        frames = itertools.islice(FrameReader(folder), max_frames)
        num_frames = max_frames
    model = init_model(**_stage(run_dir, 'posewarper'), device=device)
    after_model = rss_mb()
    tenth = None
    n = 0
    # one box per frame, the whole frame: the generated people leave the
    # scene of a long clip, and a frame without people costs nothing
    for n, _ in enumerate(
            iter_inference_posewarper(model, frames, None, online=online),
            1):
        if n == num_frames // 10:
            tenth = rss_mb()
    return dict(
        frames=n,
        size=list(FrameReader(folder).frame_size),
        people=n,
        after_model_mb=round(after_model, 1),
        at_10pct_mb=round(tenth, 1),
        at_end_mb=round(rss_mb(), 1),
        peak_mb=round(peak_rss_mb(), 1))


def _memory_child(run_dir: str, clip: str, online: bool, device: str,
                  max_frames: Optional[int]) -> Dict[str, float]:
    module = 'projects.speed_benchmark.speed_benchmark.online'
    cmd = [
        sys.executable, '-m', module, '--run', run_dir, '--device', device,
        '--memory-child', clip
    ] + (['--online'] if online else []) + (
        ['--max-frames', str(max_frames)] if max_frames else [])
    # the project is imported from the repository root (not installed)
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f'memory run failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(accuracy: Dict[str, Any],
          memory: Optional[Dict[str, Any]] = None) -> str:
    lines = [
        f'val videos of the main job: {accuracy["videos"]} videos, '
        f'{accuracy["frames"]} frames, ground-truth boxes', '',
        '| inference | mAP | ms per frame | output delay (frames) |',
        '|---|---:|---:|---:|'
    ]
    for mode in MODES:
        if mode in accuracy:
            r = accuracy[mode]
            lines.append(f'| {mode} | {r["mAP"]:.1f} | '
                         f'{r["ms_per_frame"]:.1f} | {r["delay_frames"]} |')
    if memory:
        m = next(iter(memory.values()))
        lines += [
            '', f'long clip: {m["frames"]} frames of {m["size"][0]}x'
            f'{m["size"][1]}, one box per frame (the whole frame)', '',
            '| mode | RSS after model (MB) | at 10% (MB) | at end (MB) | '
            'peak RSS (MB) |', '|---|---:|---:|---:|---:|'
        ]
        for mode, m in memory.items():
            lines.append(f'| {mode} | {m["after_model_mb"]:.0f} | '
                         f'{m["at_10pct_mb"]:.0f} | {m["at_end_mb"]:.0f} | '
                         f'{m["peak_mb"]:.0f} |')
    return '\n'.join(lines)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The command line; a run that would measure nothing, or a
    ``--max-frames`` below :data:`MIN_MEMORY_FRAMES`, is refused (exit code
    2, the options named)."""
    parser = argparse.ArgumentParser(
        description='online vs offline aggregation: mAP, time per frame, '
        'memory (the main job\'s trained models)')
    add_input(
        parser, '--run', kind='dir',
        default='work_dirs/sparse_benchmark',
        help='a finished main-job run (--out of run_sparse_benchmark.py)')
    add_input(
        parser, '--long-clip', kind='dir',
        help='a generated dataset with one long val video: also measure '
        'peak RSS per mode on it')
    parser.add_argument(
        '--max-frames',
        type=int_at_least(MIN_MEMORY_FRAMES,
                          'the RSS is also read at 10% of the frames'),
        help='only the first frames of the long clip (at least '
        f'{MIN_MEMORY_FRAMES})')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--skip-accuracy', action='store_true',
                        help='measure the memory on --long-clip only')
    add_input(parser, '--memory-child', kind='dir', help=argparse.SUPPRESS)
    parser.add_argument('--online', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    clip = args.long_clip or args.memory_child
    if args.skip_accuracy and not clip:
        parser.error('--skip-accuracy without --long-clip measures nothing')
    if args.max_frames is not None and not clip:
        parser.error('--max-frames limits the frames of --long-clip; give '
                     '--long-clip')
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        print(
            json.dumps(
                measure_memory(args.run, args.memory_child, args.online,
                               args.device, args.max_frames)))
        return 0
    if args.long_clip:
        long_clip_video(args.long_clip)  # checked before the long work
    accuracy = dict(videos=0, frames=0) if args.skip_accuracy else \
        measure_accuracy(args.run, args.device)
    memory = None
    if args.long_clip:
        memory = {
            mode: _memory_child(args.run, args.long_clip, mode == 'online',
                                args.device, args.max_frames)
            for mode in ('online', 'offline')
        }
    print(table(accuracy, memory))
    print(json.dumps(dict(accuracy=accuracy, memory=memory)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
