"""Propagate sparse labels to nearby frames with a PoseWarper.

    python tools/propagate_labels.py CONFIG CHECKPOINT \\
        --ann-dir data/posetrack18/annotations/train \\
        --img-root data/posetrack18 --out-dir work_dirs/propagated \\
        [--k 3] [--device cpu] [--eval data/posetrack18/annotations/dense] \\
        [--two-sided] [--overwrite]

    # labels from CVAT: a "CVAT for video 1.1" export and the video
    python tools/propagate_labels.py CONFIG CHECKPOINT \\
        --ann-dir task.xml --img-root video.mp4 --out-dir work_dirs/prop

The sparse labels are PoseTrack18 JSON files, CVAT's "CVAT for video 1.1"
XML exports (keyframe skeletons labeled ``person`` are the labels;
interpolated frames, and frames whose ``needs_review`` is still true, are
not) or CVAT-flavoured COCO Keypoints (``--format``, default: by the files).
For CVAT and COCO input, ``--img-root`` holds the frames (a video file or a
frame folder, or per video ``<video>.mp4`` / ``<video>/``): every frame is
written to ``OUT_DIR/frames/<video>/`` and the output's files refer to them
(the output folder is their image root). See docs/annotation.md.

For every labeled person of a labeled frame ``A`` and every frame ``B``
within ``±K`` of it, ``A``'s ground-truth heatmaps are warped to ``B`` with
offsets from the two frames' predicted heatmaps (see
``mmpose_posewarper/apis/propagation.py``). With ``--two-sided``, a frame
between two labeled frames also takes the labels of the one on its other
side (within ``--second-reach``): both are warped to it and the two results
are averaged with weights that fall with the distance. Writes

* ``OUT_DIR/annotations/<video>.json``: PoseTrack18 files, one per input
  video; propagated people keep their track id and carry ``is_labeled:
  false``, ``source_frame``, ``propagation_offset`` and ``score``;
* ``OUT_DIR/posetrack18_manual.json`` and
  ``OUT_DIR/posetrack18_propagated.json``: the manual and the propagated
  labels as COCO-style files (the layout MMPose's ``PoseTrack18Dataset``
  reads), the two parts of ``configs/augmentation/``;
* for annotators (docs/annotation.md): ``OUT_DIR/cvat/<video>.xml`` (manual
  and propagated people as CVAT skeleton tracks, every frame a keyframe,
  with ``person_id`` and ``needs_review``: true on propagated frames),
  ``OUT_DIR/cvat/label_spec.json`` (the CVAT task's label definition),
  ``OUT_DIR/coco/person_keypoints_<video>.json`` (the same as CVAT-flavoured
  COCO Keypoints) and ``OUT_DIR/review_queue.csv`` (one row per propagated
  person and frame, least confident first).

People of a PoseTrack18 input marked ``needs_review: true`` (propagated,
not yet reviewed, as ``tools/import_annotations.py`` writes them) are no
propagation source.

The outputs are one set: they are written to a hidden folder beside
``OUT_DIR`` and moved into place when all of them are complete; an error,
Ctrl-C or SIGTERM leaves ``OUT_DIR`` as it was. A non-empty ``OUT_DIR`` is
refused unless ``--overwrite`` (it is then replaced as a whole), and the
output may not overlap any input. Inputs (annotations, ``--eval`` ground
truth, checkpoint integrity) and the output location are checked before
the propagation starts.

A labeled person whose box breaks the box rule (no box, zero or negative
size, outside the image; ``box_rule.BOX_RULE``) is never propagated nor
put into the manual COCO file: it is skipped with a warning and listed in
``OUT_DIR/skipped_people.json``.
"""
import argparse
import math
import os.path as osp
import sys
from typing import List

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from mmpose_posewarper.apis.annotator_input import (FORMATS, input_format,
                                                    load_annotator_videos)
from mmpose_posewarper.apis.frame_source import write_frames
from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.apis.model import init_model
from mmpose_posewarper.apis.propagation import propagate_video
from mmpose_posewarper.apis.propagation_evaluation import evaluate_propagation
from mmpose_posewarper.apis.propagation_frames import (
    check_frames_exist, count_propagation_targets, frames_to_read)
from mmpose_posewarper.apis.source_fusion import TwoSidedFusion
from mmpose_posewarper.datasets.annotation_people import (DEFAULT_LABEL,
                                                          SkeletonSpec)
from mmpose_posewarper.datasets.annotation_videos import (
    drop_unreviewed, write_annotator_outputs)
from mmpose_posewarper.datasets.box_rule import BOX_RULE
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_dir,
                                                     load_posetrack_path,
                                                     write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_videos import (labeled_frames,
                                                         videos_to_coco)
from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.cli import float_in, int_at_least, run_tool
from mmpose_posewarper.utils.output import OutputSet

#: K of the paper's propagation experiments when neither CLI nor config set it
DEFAULT_K = 3


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    from mmpose_posewarper.utils.cli import (add_checkpoint, add_input,
                                             add_output)
    parser = argparse.ArgumentParser(
        description='Propagate sparse labels (PoseTrack18, CVAT, COCO) '
        'with PoseWarper')
    add_input(parser, 'config', help='PoseWarper config file')
    add_checkpoint(parser, 'checkpoint', help='trained PoseWarper checkpoint')
    add_input(
        parser, '--ann-dir', kind='json_or_dir',
        required=True,
        help='sparse labels: a directory of per-video files or one file '
        '(PoseTrack18 JSON, "CVAT for video 1.1" XML or CVAT-flavoured COCO '
        'Keypoints JSON)')
    add_input(
        parser, '--img-root', kind='video',
        required=True,
        help='PoseTrack18: directory the images\' "file_name" is relative '
        'to; CVAT/COCO: the frames (a video file or frame folder, or a '
        'directory with <video>.mp4 or <video>/ per video)')
    parser.add_argument(
        '--format',
        choices=FORMATS,
        default='auto',
        help='format of --ann-dir (default: .xml is CVAT, JSON with '
        'attributes.track_id is COCO, other JSON PoseTrack18)')
    parser.add_argument(
        '--label',
        default=DEFAULT_LABEL,
        help='CVAT/COCO: the skeleton label of the people (default: '
        '%(default)s)')
    add_input(
        parser, '--joint-map', kind='json',
        metavar='JSON',
        help='CVAT/COCO: a JSON object mapping the task\'s point names to '
        'PoseTrack18 joint names (default: the task uses PoseTrack18\'s '
        'names, nose ... right_ankle)')
    add_output(
        parser, '--out-dir', required=True,
        help='output directory (a new location)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace a non-empty --out-dir as a whole (default: refuse it)')
    parser.add_argument(
        '--k',
        type=int_at_least(1),
        default=None,
        help='propagate to frames up to K away from a labeled frame '
        f'(default: the config\'s propagation.k, else {DEFAULT_K})')
    parser.add_argument(
        '--device', default='cpu', help='device, e.g. cpu, cuda, cuda:1')
    parser.add_argument(
        '--batch-size',
        type=int_at_least(1),
        default=16,
        help='people per forward pass')
    parser.add_argument(
        '--keep-labeled',
        action='store_true',
        help='also copy the manual labels into the per-video files')
    parser.add_argument(
        '--skip-unlabeled-videos',
        action='store_true',
        help='warn about and skip videos without any labeled frame instead '
        'of stopping')
    parser.add_argument(
        '--frame-index-base',
        type=int_at_least(0),
        default=0,
        help='number of a video\'s first frame (0: PoseTrack18, 1: '
        'PoseTrack17)')
    add_input(
        parser, '--eval', kind='json_or_dir',
        metavar='GT_DIR',
        help='score the propagated labels against dense ground truth (a '
        'directory of per-video PoseTrack18 files with the same names)')
    parser.add_argument(
        '--two-sided',
        action='store_true',
        help='also propagate from the labeled frame on the other side of '
        'each frame and fuse the two (a frame with one labeled neighbour in '
        'reach stays one-sided)')
    default = TwoSidedFusion()
    parser.add_argument(
        '--second-reach',
        type=int_at_least(1),
        default=default.second_reach,
        help='with --two-sided: the farthest the second labeled frame may '
        'be (default: %(default)s, i.e. any distance)')
    parser.add_argument(
        '--fusion-power',
        type=float_in(0),
        default=default.power,
        help='with --two-sided: source weights fall as distance ** -POWER '
        '(1: linear interpolation\'s weights; default: %(default)s)')
    parser.add_argument(
        '--fusion-level',
        choices=('heatmap', 'keypoint'),
        default=default.level,
        help='with --two-sided: fuse the decoded joints (weighted also by '
        'their scores), or the warped heatmaps before decoding (default: '
        '%(default)s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings')
    args = parser.parse_args(argv)
    args.fusion = TwoSidedFusion(
        second_reach=args.second_reach,
        power=args.fusion_power,
        level=args.fusion_level) if args.two_sided else None
    return args


def _finite_or_none(value: float):
    # JSON has no NaN (a joint without ground truth has a NaN AP)
    return float(value) if math.isfinite(value) else None


def _same_path(a: str, b: str) -> bool:
    a, b = osp.realpath(a), osp.realpath(b)
    return a == b or (osp.exists(a) and osp.exists(b) and osp.samefile(a, b))


def check_output_location(ann_path: str, out_dir: str,
                          input_files: List[str]) -> str:
    """Refuse an output location that could overwrite the input.

    Returns:
        str: The per-video output directory ``out_dir/annotations``.
    """
    ann_out = osp.join(out_dir, 'annotations')
    ann_dir = ann_path if osp.isdir(ann_path) else osp.dirname(ann_path)
    for target in (out_dir, ann_out):
        if _same_path(target, ann_dir or '.'):
            raise ValueError(
                f'--out-dir {out_dir} would write into the input annotation '
                f'directory {ann_dir}; choose a new location (the input is '
                'never overwritten)')
    for f in input_files:
        if _same_path(osp.join(ann_out, osp.basename(f)), f):
            raise ValueError(f'the output would overwrite the input {f}')
    return ann_out


def main(argv: List[str] = None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    k = args.k if args.k is not None else cfg.get('propagation', {}).get(
        'k', DEFAULT_K)
    if k < 1:
        raise ValueError(f'K must be >= 1, got {k}')

    # every input and the output location are checked before the (long)
    # propagation starts
    spec = SkeletonSpec.from_options(args.label, args.joint_map)
    fmt = input_format(args.ann_dir, args.format)
    annotator = None
    if fmt == 'posetrack':
        videos = load_posetrack_path(args.ann_dir, '--ann-dir')
        unreviewed = drop_unreviewed(videos)
        input_files = [osp.join(args.ann_dir, f'{n}.json') for n in videos] \
            if osp.isdir(args.ann_dir) else [args.ann_dir]
    else:
        if args.frame_index_base != 0:
            raise ValueError('--frame-index-base: CVAT numbers a video\'s '
                             'frames from 0; leave it at 0 for CVAT/COCO '
                             'input')
        annotator = load_annotator_videos(args.ann_dir, fmt, args.img_root,
                                          spec)
        videos, unreviewed = annotator.videos, annotator.unreviewed
        input_files = list(annotator.files.values())
        print_log(
            f'{fmt} input: {len(videos)} videos; '
            f'{annotator.interpolated} interpolated skeletons are no labels',
            logger='current')
    if unreviewed:
        print_log(
            f'{unreviewed} people still marked needs_review are no '
            'propagation source (they are propagated again)',
            logger='current')
    ann_out = check_output_location(args.ann_dir, args.out_dir, input_files)
    # a video without labels is an error unless asked to skip it
    unlabeled = [
        name for name, video in videos.items()
        if not labeled_frames(video, args.frame_index_base, name)
    ]
    if unlabeled:
        msg = (f'{len(unlabeled)} of {len(videos)} videos have no labeled '
               f'frame, nothing can be propagated in them: '
               f'{", ".join(unlabeled[:5])}')
        if not args.skip_unlabeled_videos:
            raise ValueError(msg + ' (use --skip-unlabeled-videos to skip '
                             'them)')
        print_log(msg + '; skipped', logger='current', level=30)
        videos = {n: v for n, v in videos.items() if n not in unlabeled}
        if not videos:
            raise ValueError('no video with labeled frames is left')
    gt = None
    if args.eval:
        gt = load_posetrack_dir(args.eval, require_head_box=True)
        missing = sorted(set(videos) - set(gt))
        if missing:
            raise FileNotFoundError(
                f'--eval {args.eval}: no ground truth for the videos '
                f'{missing[:5]} (the directory needs a <video>.json per input '
                'video)')
    if annotator is None:
        check_frames_exist(videos, args.img_root, k, args.frame_index_base,
                           two_sided=args.fusion)
    output = OutputSet(
        args.out_dir,
        overwrite=args.overwrite,
        inputs=[
            args.ann_dir, args.img_root, args.config, args.checkpoint,
            args.eval
        ] + ([] if annotator is not None else [
            path for path, _, _ in frames_to_read(
                videos, args.img_root, k, args.frame_index_base,
                two_sided=args.fusion)]),
        option='--out-dir')
    model = init_model(
        cfg, args.checkpoint, device=args.device, require_warping=True)
    propagator = LabelPropagator(model, batch_size=args.batch_size)

    total = count_propagation_targets(videos, k, args.frame_index_base)
    print_log(
        f'propagating labels of {len(videos)} videos to {total} frames '
        f'(K={k}{", two-sided" if args.two_sided else ""}) on {args.device}',
        logger='current')
    # the staging folder is made now (an unwritable location fails here);
    # on any error, Ctrl-C or SIGTERM it is removed and OUT_DIR stays as it
    # was
    with output:
        img_root = args.img_root
        if annotator is not None:
            # the frames are part of the output: its files refer to them
            img_root = output.path()
            for name in videos:
                write_frames(annotator.sources[name],
                             output.path('frames', name))
            check_frames_exist(videos, img_root, k, two_sided=args.fusion)
        progress = ProgressBar(total) if total else None
        outputs, skipped = {}, []
        for name, video in videos.items():
            outputs[name] = propagate_video(
                propagator,
                video,
                img_root,
                k=k,
                name=name,
                keep_labeled=args.keep_labeled,
                frame_index_base=args.frame_index_base,
                progress=progress,
                skipped=skipped,
                two_sided=args.fusion)
        if progress is not None:
            sys.stdout.write('\n')

        manual_coco = videos_to_coco(
            videos, 'manual', img_root=img_root, skipped=skipped)
        propagated_coco = videos_to_coco(
            outputs, 'propagated', img_root=img_root, skipped=skipped)
        write_annotator_outputs(
            output, videos, outputs, spec, img_root, args.frame_index_base,
            annotator.frame_ranges if annotator is not None else None)
        for name, video in outputs.items():
            write_posetrack_video(
                output.path('annotations', f'{name}.json'), video)
        write_json_atomic(
            output.path('posetrack18_manual.json'), manual_coco)
        write_json_atomic(
            output.path('posetrack18_propagated.json'), propagated_coco)
        skipped = _unique_people(skipped)
        write_json_atomic(output.path('skipped_people.json'), skipped)
        if skipped:
            print_log(
                f'{len(skipped)} people were skipped: their box is '
                f'unusable ({BOX_RULE}); listed in '
                f'{osp.join(args.out_dir, "skipped_people.json")}',
                logger='current',
                level=30)
        if gt is not None:
            from mmpose_posewarper.evaluation.functional.posetrack_ap import \
                format_table
            result = evaluate_propagation(outputs, gt)
            print_log(
                f'propagation AP on {result["num_frames"]} frames:\n' +
                format_table(result['ap']),
                logger='current')
            write_json_atomic(
                output.path('eval.json'),
                dict(
                    num_frames=int(result['num_frames']),
                    ap_per_joint=[_finite_or_none(v) for v in result['ap']],
                    **{
                        key: _finite_or_none(v)
                        for key, v in result.items() if isinstance(v, float)
                    }))
    num_people = sum(
        a.get('is_labeled', True) is False for v in outputs.values()
        for a in v['annotations'])
    print_log(
        f'wrote {len(outputs)} videos with {num_people} propagated people to '
        f'{ann_out}; for annotators: {osp.join(args.out_dir, "cvat")}, '
        f'{osp.join(args.out_dir, "coco")}, '
        f'{osp.join(args.out_dir, "review_queue.csv")} '
        '(docs/annotation.md)',
        logger='current')
    return 0


def _unique_people(skipped: List[dict]) -> List[dict]:
    """One entry per skipped person (a labeled person is seen both as a
    propagation source and for the manual COCO file)."""
    seen, out = set(), []
    for entry in skipped:
        key = (entry['video'], entry['frame'], entry['annotation_id'],
               entry['track_id'])
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


if __name__ == '__main__':
    sys.exit(run_tool(main))
