"""Bring corrected labels back from CVAT: PoseTrack18 JSON and training files.

    python tools/import_annotations.py EXPORT [EXPORT ...] \\
        --frames-from work_dirs/propagated/annotations \\
        --out-dir work_dirs/corrected [--video NAME] [--img-root DIR] \\
        [--format auto|cvat|coco] [--label person] [--joint-map JSON] \\
        [--frame-index-base 0] [--overwrite]

EXPORT is a task's "CVAT for video 1.1" export (``annotations.xml``) or its
COCO Keypoints export (a JSON file), or a folder of ``<video>.xml`` /
``<video>.json`` files; a single file is named with ``--video`` (default:
its file name). A keyframe whose ``needs_review`` is false counts as manual
(labeled or corrected by an annotator), one still true as propagated;
interpolated frames (``keyframe="0"``) are dropped; each person is its
``person_id``. The task's frame ``i`` is the ``i``-th frame of the video in
``--frames-from`` (the propagation's ``annotations/`` folder, or the sparse
PoseTrack18 input), so the labels land on the PoseTrack images. Writes

* ``OUT_DIR/annotations/<video>.json``: PoseTrack18 files; manual people as
  labels, propagated ones marked ``is_labeled: false`` and ``needs_review:
  true`` (``tools/propagate_labels.py`` propagates from the manual ones
  only: give it this folder to propagate again, e.g. ``--two-sided``);
* ``OUT_DIR/posetrack18_manual.json`` and
  ``OUT_DIR/posetrack18_propagated.json``: the two parts job 3 (the
  augmentation configs) trains on, with the images of ``--frames-from``
  (their image root: the propagation's ``--img-root``, or its output folder
  for CVAT/COCO input);
* ``OUT_DIR/skipped_people.json``: people left out (unusable box).

The outputs are one set (see ``mmpose_posewarper/utils/output.py``); a bad
export ends the tool with exit code 2 and ``error: FILE: track T, frame F:
problem`` before anything is written. See docs/annotation.md.
"""
import argparse
import sys
from typing import Dict, List

from mmengine.logging import print_log

from mmpose_posewarper.apis.annotator_input import FORMATS, input_format
from mmpose_posewarper.datasets.annotation_import import (corrected_video,
                                                          training_parts)
from mmpose_posewarper.datasets.annotation_people import (DEFAULT_LABEL,
                                                          SkeletonSpec)
from mmpose_posewarper.datasets.annotation_videos import (
    check_frames_in_video, frame_positions, list_annotation_files,
    read_annotator_file)
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_path,
                                                     write_posetrack_video)
from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.cli import int_at_least, run_tool
from mmpose_posewarper.utils.output import OutputSet


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    from mmpose_posewarper.utils.cli import add_input, add_output
    parser = argparse.ArgumentParser(
        description='Import corrected CVAT labels (XML or COCO export)')
    add_input(
        parser, 'exports', nargs='+', kind='json_or_dir',
        help='CVAT exports: files or folders')
    add_input(
        parser, '--frames-from', kind='json_or_dir',
        required=True,
        help='PoseTrack18 videos listing every frame (a folder of '
        '<video>.json, e.g. the propagation\'s annotations/, or one file)')
    add_output(
        parser, '--out-dir', required=True,
        help='output directory (a new location)')
    parser.add_argument(
        '--video', help='the video of a single export (default: its file '
        'name)')
    add_input(
        parser, '--img-root', kind='dir',
        help='image root of --frames-from, to read frame sizes its images '
        'do not give')
    parser.add_argument('--format', choices=FORMATS, default='auto',
                        help='format of the exports (default: by the files)')
    parser.add_argument('--label', default=DEFAULT_LABEL,
                        help='the skeleton label (default: %(default)s)')
    add_input(parser, '--joint-map', metavar='JSON', kind='json',
                        help='JSON object: the task\'s point names -> '
                        'PoseTrack18 joint names')
    parser.add_argument(
        '--frame-index-base', type=int_at_least(0), default=0,
        help='number of a video\'s first frame in --frames-from (0: '
        'PoseTrack18, 1: PoseTrack17)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a non-empty --out-dir as a whole')
    return parser.parse_args(argv)


def export_files(exports: List[str], video: str = None) -> Dict[str, str]:
    """Video name -> export file, from files and folders."""
    files: Dict[str, str] = {}
    for path in exports:
        found = list_annotation_files(path)
        if video is not None:
            if len(exports) != 1 or len(found) != 1:
                raise ValueError('--video names the video of a single export '
                                 f'file, got {len(found)} files')
            found = {video: next(iter(found.values()))}
        for name, f in found.items():
            if name in files:
                raise ValueError(f'two exports for video {name}: '
                                 f'{files[name]} and {f}')
            files[name] = f
    return files


def main(argv: List[str] = None) -> int:
    args = parse_args(argv)
    spec = SkeletonSpec.from_options(args.label, args.joint_map)
    files = export_files(args.exports, args.video)
    templates = load_posetrack_path(args.frames_from, '--frames-from')

    # every export is read and checked before anything is written
    videos, manual, propagated, interpolated = {}, 0, 0, 0
    for name, path in files.items():
        if name not in templates:
            raise FileNotFoundError(
                f'{path}: --frames-from {args.frames_from} has no video '
                f'{name} (known: {", ".join(sorted(templates)[:5])}); name '
                'the video with --video')
        fmt = input_format(path, args.format)
        if fmt == 'posetrack':
            raise ValueError(f'{path}: a PoseTrack18 file, not a CVAT export '
                             '(XML or COCO with attributes.track_id)')
        people, info = read_annotator_file(path, fmt, spec)
        template = templates[name]
        num = len(frame_positions(template, name, args.frame_index_base))
        check_frames_in_video(people, num, path, args.frames_from)
        videos[name] = corrected_video(people, template, name,
                                       args.frame_index_base)
        manual += sum(not p.needs_review for p in people)
        propagated += sum(p.needs_review for p in people)
        interpolated += info['interpolated']
    skipped: List[dict] = []
    manual_coco, propagated_coco = training_parts(videos, args.img_root,
                                                  skipped)

    output = OutputSet(
        args.out_dir,
        overwrite=args.overwrite,
        inputs=[*files.values(), args.frames_from, args.img_root],
        option='--out-dir')
    with output:
        for name, video in videos.items():
            write_posetrack_video(
                output.path('annotations', f'{name}.json'), video)
        write_json_atomic(output.path('posetrack18_manual.json'),
                          manual_coco)
        write_json_atomic(output.path('posetrack18_propagated.json'),
                          propagated_coco)
        write_json_atomic(output.path('skipped_people.json'), skipped)
    print_log(
        f'imported {len(videos)} videos: {manual} manual or corrected '
        f'people, {propagated} still to review (propagated), {interpolated} '
        f'interpolated skeletons dropped; wrote {args.out_dir}',
        logger='current')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
