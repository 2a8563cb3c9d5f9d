"""Pose estimation on a video with PoseWarper: rendered video + PoseTrack18.

    # people boxes from an MMDet detector (as MMPose's topdown demo)
    python demo/video_demo.py POSE_CONFIG POSE_CHECKPOINT \\
        --input demo.mp4 --output-root work_dirs/demo \\
        --det-config DET_CONFIG --det-checkpoint DET_CHECKPOINT [--device cuda]

    # people boxes from a JSON file
    python demo/video_demo.py POSE_CONFIG POSE_CHECKPOINT \\
        --input frames/ --output-root work_dirs/demo --bboxes boxes.json

    # people boxes from PoseTrack18 ground truth, its mAP printed, one
    # rendered frame saved as a picture
    python demo/video_demo.py POSE_CONFIG POSE_CHECKPOINT \\
        --input frames/ --output-root work_dirs/demo --gt-file gt.json \\
        --frame-out docs/demo/demo_frame.jpg [--online]

``--input`` is a video file (mp4, avi, gif, ...) or a folder of frames. The
boxes file is a COCO-style detection list with a frame index per box:
``[{"frame_index": 0, "bbox": [x, y, w, h], "score": 0.9}, ...]``
(``category_id``, when present, must be 1 = person to be used).

Writes ``OUTPUT_ROOT/<name>.mp4`` (skeletons drawn by MMPose's
``PoseLocalVisualizer``, same frame count and rate as the input) and
``OUTPUT_ROOT/<name>.json`` (PoseTrack18: one image per frame, one
annotation per person with ``[x, y, score]`` keypoints, per-joint
``scores`` and a ``track_id`` from greedy box-IoU tracking).

A PoseWarper config aggregates each frame with its neighbours
(``inference_posewarper``; ``--online``: only the current and past frames,
each frame's result before the next frame is read); a single-frame MMPose
top-down config runs ``inference_topdown`` frame by frame. The work is done
by ``mmpose_posewarper.apis.PoseWarperInferencer``; this tool parses the
command line, checks the inputs and writes the outputs as one set.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.apis.detection import PersonDetector  # noqa: F401
from mmpose_posewarper.apis.ground_truth import ground_truth_boxes, video_ap
from mmpose_posewarper.apis.inferencer import PoseWarperInferencer
from mmpose_posewarper.apis.tracking import (  # noqa: F401
    assign_track_ids, box_iou)
from mmpose_posewarper.apis.video_io import FrameReader
from mmpose_posewarper.datasets.box_files import load_frame_boxes
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_video,
                                                     write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_predictions import \
    posetrack18_video
from mmpose_posewarper.evaluation.functional.posetrack_ap import format_table
from mmpose_posewarper.utils.cli import float_in, int_at_least, run_tool
from mmpose_posewarper.utils.output import OutputSet


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    from mmpose_posewarper.utils.cli import (add_checkpoint, add_input,
                                             add_output)
    parser = argparse.ArgumentParser(
        description='PoseWarper video demo: rendered video + PoseTrack18 JSON')
    add_input(parser, 'pose_config', help='pose model config')
    add_checkpoint(parser, 'pose_checkpoint', help='pose model checkpoint')
    add_input(
        parser, '--input', required=True, kind='video',
        help='video file or folder of frames')
    add_output(
        parser, '--output-root', required=True, kind='files_in',
        help='directory for the outputs (<name>.mp4, <name>.json)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace existing <name>.mp4 / <name>.json (default: refuse)')
    boxes = parser.add_argument_group('people boxes (one source)')
    add_input(boxes, '--det-config', help='MMDet detector config')
    add_checkpoint(boxes, '--det-checkpoint',
                   help='MMDet detector checkpoint')
    add_input(
        boxes, '--bboxes', kind='json',
        help='JSON file of boxes (see the module docstring)')
    add_input(
        boxes, '--gt-file', kind='json',
        help='PoseTrack18 ground truth of the input: the people boxes '
        'unless a detector or --bboxes gives them, and the predictions\' '
        'PoseTrack mAP against it is printed')
    add_output(
        parser, '--frame-out', kind='file',
        help='also write one rendered frame as an image (e.g. '
        'docs/demo/demo_frame.jpg or .png; replaced only with --overwrite)')
    parser.add_argument(
        '--frame-index',
        type=int_at_least(0),
        default=None,
        help='the frame --frame-out writes (default: the middle one)')
    parser.add_argument(
        '--det-cat-id',
        type=int_at_least(0),
        default=0,
        help='detector class index of "person" (0 for COCO detectors)')
    parser.add_argument(
        '--bbox-thr',
        type=float_in(0, 1),
        default=0.3,
        help='box score threshold')
    parser.add_argument(
        '--nms-thr',
        type=float_in(0, 1),
        default=0.3,
        help='box NMS IoU threshold')
    parser.add_argument(
        '--track-iou-thr',
        type=float_in(0, 1),
        default=0.3,
        help='minimum box IoU to continue a track in the next frame')
    parser.add_argument(
        '--kpt-thr',
        type=float_in(0, 1),
        default=0.3,
        help='drawn keypoint threshold')
    parser.add_argument(
        '--device', default='cpu', help='device, e.g. cpu, cuda, cuda:1')
    parser.add_argument(
        '--online',
        action='store_true',
        help='causal aggregation: only the current and past frames (t, t-1, '
        't-2), each frame\'s result before the next frame is read (for live '
        'video); default: the original\'s window t-2..t+2')
    parser.add_argument(
        '--radius', type=int_at_least(1), default=3, help='keypoint radius')
    parser.add_argument(
        '--thickness',
        type=int_at_least(1),
        default=1,
        help='skeleton line width')
    parser.add_argument(
        '--draw-bbox', action='store_true', help='draw the people boxes')
    parser.add_argument(
        '--fps',
        type=float_in(0, low_open=True),
        default=None,
        help='output frame rate (default: the input\'s; 25 for folders)')
    args = parser.parse_args(argv)
    if args.fps is not None and not args.fps > 0:  # nan too
        parser.error(f'--fps must be > 0, got {args.fps}')
    use_det = args.det_config is not None or args.det_checkpoint is not None
    if use_det and args.bboxes is not None or not (
            use_det or args.bboxes is not None or args.gt_file is not None):
        parser.error('give the boxes with --det-config and '
                     '--det-checkpoint, with --bboxes or with --gt-file '
                     '(a detector and --bboxes exclude each other)')
    if args.frame_index is not None and args.frame_out is None:
        parser.error('--frame-index goes with --frame-out')
    if args.frame_out is not None:
        # written by OpenCV's imwrite (a file without extension as JPEG):
        # checked before anything is written
        ext = osp.splitext(args.frame_out)[1]
        if ext and not cv2.haveImageWriter(f'x{ext}'):
            parser.error(f'--frame-out {args.frame_out}: OpenCV writes no '
                         f'image as {ext} (one frame is written as a '
                         'picture: e.g. .jpg or .png)')
    if use_det and (args.det_config is None or args.det_checkpoint is None):
        parser.error('--det-config and --det-checkpoint go together')
    return args


# ----------------------------------------------------------------------------
# boxes
# ----------------------------------------------------------------------------
def load_boxes_json(path: str,
                    num_frames: int,
                    frame_size: Optional[Tuple[int, int]] = None
                    ) -> List[np.ndarray]:
    """Per-frame ``(N, 5)`` xyxy+score boxes from a boxes JSON file, checked
    by ``box_files.load_frame_boxes`` (the package's box rule; errors
    name the file, entry and field)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'--bboxes {path} does not exist')
    width, height = frame_size if frame_size is not None else (None, None)
    return load_frame_boxes(path, num_frames, width, height)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)

    reader = FrameReader(args.input)
    name = osp.splitext(osp.basename(osp.normpath(args.input)))[0]
    frame_index = None
    if args.frame_out is not None:
        frame_index = (len(reader) // 2 if args.frame_index is None else
                       args.frame_index)
        if not 0 <= frame_index < len(reader):
            raise ValueError(f'--frame-index {frame_index} is not a frame of '
                             f'the input (0..{len(reader) - 1})')
    inputs = [
        args.input, args.pose_config, args.pose_checkpoint, args.bboxes,
        args.det_config, args.det_checkpoint, args.gt_file
    ]
    # the outputs are checked now, before the long work; the video and JSON
    # are one set: staged beside the destination, moved into place at the
    # end (the frame, drawn last, is a set of its own)
    frame_output = None if args.frame_out is None else OutputSet(
        osp.dirname(osp.abspath(args.frame_out)),
        names=[osp.basename(args.frame_out)],
        overwrite=args.overwrite,
        inputs=inputs,
        option='--frame-out')
    output = OutputSet(
        args.output_root,
        names=[f'{name}.mp4', f'{name}.json'],
        overwrite=args.overwrite,
        inputs=inputs,
        option='--output-root')
    boxes, gt_video = None, None
    if args.bboxes is not None:
        boxes = load_boxes_json(args.bboxes, len(reader), reader.frame_size)
    if args.gt_file is not None:
        gt_video = load_posetrack_video(args.gt_file,
                                        keypoint_dtype=np.float64)
        gt_boxes = ground_truth_boxes(gt_video, args.gt_file)
        if len(gt_boxes) != len(reader):
            raise ValueError(
                f'{args.gt_file}: images: {len(gt_boxes)} frames, but the '
                f'input {args.input} has {len(reader)}')
        if boxes is None and args.det_config is None:
            boxes = gt_boxes
    inferencer = PoseWarperInferencer(
        args.pose_config,
        args.pose_checkpoint,
        device=args.device,
        det_model=args.det_config,
        det_weights=args.det_checkpoint,
        det_cat_ids=args.det_cat_id,
        online=args.online,
        show_progress=True)
    print_log(
        f'estimating poses in {len(reader)} frames of {args.input} on '
        f'{args.device} ({"online" if args.online else "offline"} '
        'aggregation)',
        logger='current')
    with output:
        predictions, frame = [], None
        for t, result in enumerate(inferencer(
                args.input,
                bboxes=boxes,
                bbox_thr=args.bbox_thr,
                nms_thr=args.nms_thr,
                fps=args.fps,
                track_iou_thr=args.track_iou_thr,
                vis_out_dir=output.path(f'{name}.mp4'),
                kpt_thr=args.kpt_thr,
                radius=args.radius,
                thickness=args.thickness,
                draw_bbox=args.draw_bbox,
                # the drawn frames come back only for --frame-out
                return_vis=args.frame_out is not None)):
            predictions.append(result['predictions'][0])
            if t == frame_index:
                frame = result['visualization'][0]
        write_posetrack_video(
            output.path(f'{name}.json'),
            posetrack18_video(name, predictions, reader.frame_names))
        print_log(
            f'{len(predictions)} frames, {sum(map(len, predictions))} poses',
            logger='current')
    print_log(
        f'wrote {osp.join(args.output_root, name)}.mp4 and .json',
        logger='current')
    if frame is not None:
        # written whole or not at all, as the other outputs
        with frame_output:
            staged = frame_output.path(osp.basename(args.frame_out))
            if not osp.splitext(staged)[1]:  # no extension: a JPEG
                staged_jpg = staged + '.jpg'
                mmcv.imwrite(mmcv.rgb2bgr(frame), staged_jpg)
                os.replace(staged_jpg, staged)
            else:
                mmcv.imwrite(mmcv.rgb2bgr(frame), staged)
        print_log(f'wrote frame {frame_index} to {args.frame_out}',
                  logger='current')
    if gt_video is not None:
        # the file as written, against the ground truth
        result = video_ap(
            gt_video,
            load_posetrack_video(
                osp.join(args.output_root, f'{name}.json'),
                keypoint_dtype=np.float64), name)
        print(f'PoseTrack AP of {name} against {args.gt_file} '
              f'({result["num_frames"]} frames):')
        print(format_table(result['ap']))
        print(f'mAP (Total AP): {result["Total"]:.1f}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
