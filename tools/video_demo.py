"""Pose estimation on a video with PoseWarper: rendered video + PoseTrack18.

    # people boxes from an MMDet detector (as MMPose's topdown demo)
    python tools/video_demo.py POSE_CONFIG POSE_CHECKPOINT \\
        --input demo.mp4 --output-root work_dirs/demo \\
        --det-config DET_CONFIG --det-checkpoint DET_CHECKPOINT [--device cuda]

    # people boxes from a JSON file
    python tools/video_demo.py POSE_CONFIG POSE_CHECKPOINT \\
        --input frames/ --output-root work_dirs/demo --bboxes boxes.json

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
(``inference_posewarper``); a single-frame MMPose top-down config runs
``inference_topdown`` frame by frame.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

from mmpose_posewarper.apis.model import init_model, load_checked_checkpoint
from mmpose_posewarper.apis.video_io import FrameReader
from mmpose_posewarper.datasets.posetrack_io import (MAX_TRACK_ID,
                                                     load_frame_boxes,
                                                     person_box_problem,
                                                     posetrack18_categories,
                                                     write_posetrack_video)
from mmpose_posewarper.utils.cli import run_tool
from mmpose_posewarper.utils.output import OutputSet


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='PoseWarper video demo: rendered video + PoseTrack18 JSON')
    parser.add_argument('pose_config', help='pose model config')
    parser.add_argument('pose_checkpoint', help='pose model checkpoint')
    parser.add_argument(
        '--input', required=True, help='video file or folder of frames')
    parser.add_argument(
        '--output-root', required=True, help='directory for the outputs')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace existing <name>.mp4 / <name>.json (default: refuse)')
    boxes = parser.add_argument_group('people boxes (one source)')
    boxes.add_argument('--det-config', help='MMDet detector config')
    boxes.add_argument('--det-checkpoint', help='MMDet detector checkpoint')
    boxes.add_argument(
        '--bboxes', help='JSON file of boxes (see the module docstring)')
    parser.add_argument(
        '--det-cat-id',
        type=int,
        default=0,
        help='detector class index of "person" (0 for COCO detectors)')
    parser.add_argument(
        '--bbox-thr', type=float, default=0.3, help='box score threshold')
    parser.add_argument(
        '--nms-thr', type=float, default=0.3, help='box NMS IoU threshold')
    parser.add_argument(
        '--track-iou-thr',
        type=float,
        default=0.3,
        help='minimum box IoU to continue a track in the next frame')
    parser.add_argument(
        '--kpt-thr', type=float, default=0.3, help='drawn keypoint threshold')
    parser.add_argument(
        '--device', default='cpu', help='device, e.g. cpu, cuda, cuda:1')
    parser.add_argument(
        '--radius', type=int, default=3, help='keypoint radius')
    parser.add_argument(
        '--thickness', type=int, default=1, help='skeleton line width')
    parser.add_argument(
        '--draw-bbox', action='store_true', help='draw the people boxes')
    parser.add_argument(
        '--fps',
        type=float,
        default=None,
        help='output frame rate (default: the input\'s; 25 for folders)')
    args = parser.parse_args(argv)
    if args.fps is not None and not args.fps > 0:  # nan too
        parser.error(f'--fps must be > 0, got {args.fps}')
    use_det = args.det_config is not None or args.det_checkpoint is not None
    if use_det == (args.bboxes is not None):
        parser.error('give the boxes either with --det-config and '
                     '--det-checkpoint or with --bboxes')
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
    by ``posetrack_io.load_frame_boxes`` (the package's box rule; errors
    name the file, entry and field)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'--bboxes {path} does not exist')
    width, height = frame_size if frame_size is not None else (None, None)
    return load_frame_boxes(path, num_frames, width, height)


class PersonDetector:
    """An MMDet detector filtered to one class, a score and NMS, as in
    MMPose's ``topdown_demo_with_mmdet.py``."""

    def __init__(self, config: str, checkpoint: str, device: str,
                 cat_id: int, bbox_thr: float, nms_thr: float) -> None:
        from mmdet.apis import init_detector
        from mmpose.utils import adapt_mmdet_pipeline

        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'detector checkpoint {checkpoint} does not exist')
        # palette: boxes are not drawn with the detector's colours, and a
        # given palette spares building the config's test dataset
        model = init_detector(config, None, palette='random', device='cpu')
        # strict: a checkpoint of another detector must not run silently
        # with random weights
        load_checked_checkpoint(model, checkpoint)
        model.cfg = adapt_mmdet_pipeline(model.cfg)
        self.model = model.to(device).eval()
        self.cat_id, self.bbox_thr, self.nms_thr = cat_id, bbox_thr, nms_thr
        #: detections dropped by the box rule (zero size, outside the frame)
        self.dropped = 0

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        from mmdet.apis import inference_detector
        from mmpose.evaluation.functional import nms

        pred = inference_detector(self.model, frame).pred_instances
        pred = pred.cpu().numpy()
        boxes = np.concatenate([pred.bboxes, pred.scores[:, None]], axis=1)
        keep = (pred.labels == self.cat_id) & (pred.scores > self.bbox_thr)
        boxes = boxes[keep]
        if len(boxes):
            boxes = boxes[nms(boxes, self.nms_thr)]
        # the package's box rule: a degenerate detection is no person box
        h, w = frame.shape[:2]
        usable = [
            person_box_problem([x1, y1, x2 - x1, y2 - y1], w, h) is None
            for x1, y1, x2, y2, _ in boxes
        ]
        self.dropped += len(boxes) - sum(usable)
        boxes = boxes[np.array(usable, dtype=bool)]
        return boxes.astype(np.float32).reshape(-1, 5)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of xyxy boxes ``(N, 4)`` x ``(M, 4)``."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:4], b[None, :, 2:4])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(a[:, 2:4] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:4] - b[:, :2], axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None] - inter, 1e-9)


def assign_track_ids(boxes_per_frame: Sequence[np.ndarray],
                     iou_thr: float) -> List[List[int]]:
    """Greedy IoU tracking: each box continues the track of the previous
    frame's box it overlaps most (highest IoU pairs first, IoU >= iou_thr);
    the others start new tracks. Ids stay below PoseTrack's limit of
    ``MAX_TRACK_ID`` by reusing ids not active in the previous frame."""
    ids_per_frame: List[List[int]] = []
    prev_boxes, prev_ids = np.zeros((0, 4)), []
    next_id = 0
    for boxes in boxes_per_frame:
        ids = [-1] * len(boxes)
        if len(boxes) and len(prev_boxes):
            iou = box_iou(boxes[:, :4], prev_boxes[:, :4])
            for flat in np.argsort(-iou, axis=None):
                i, j = np.unravel_index(flat, iou.shape)
                if iou[i, j] < iou_thr:
                    break
                if ids[i] == -1 and prev_ids[j] not in ids:
                    ids[i] = prev_ids[j]
        for i in range(len(ids)):
            if ids[i] == -1:
                if next_id < MAX_TRACK_ID:
                    ids[i], next_id = next_id, next_id + 1
                else:
                    busy = set(ids) | set(prev_ids)
                    ids[i] = next(t for t in range(MAX_TRACK_ID)
                                  if t not in busy)
        ids_per_frame.append(ids)
        prev_boxes, prev_ids = boxes, ids
    return ids_per_frame


# ----------------------------------------------------------------------------
# outputs
# ----------------------------------------------------------------------------
def posetrack_video(reader: FrameReader, name: str,
                    people: Sequence[List[dict]]) -> Dict:
    """The PoseTrack18 video of the predictions (one image per frame)."""
    images, annotations = [], []
    for t, frame_people in enumerate(people):
        images.append(
            dict(
                id=t,
                frame_id=t,
                file_name=f'{name}/{reader.frame_names[t]}',
                vid_id=name,
                nframes=len(reader),
                is_labeled=bool(frame_people)))
        for p, person in enumerate(frame_people):
            kpts = np.concatenate(
                [person['keypoints'], person['keypoint_scores'][:, None]],
                axis=1).astype(np.float64)
            x1, y1, x2, y2 = person['bbox'].astype(np.float64)
            annotations.append(
                dict(
                    id=t * 100 + p,
                    image_id=t,
                    category_id=1,
                    track_id=int(person['track_id']),
                    keypoints=kpts,
                    scores=kpts[:, 2].copy(),
                    score=float(kpts[:, 2].mean()),
                    bbox=np.array([x1, y1, x2 - x1, y2 - y1]),
                    bbox_score=float(person['bbox_score'])))
    return dict(
        images=images,
        annotations=annotations,
        categories=posetrack18_categories())


def _pose_results(model: nn.Module, input_path: str,
                  boxes: List[np.ndarray]) -> Iterator[Optional[Any]]:
    """Per-frame ``PoseDataSample`` s (``None`` for a frame without boxes),
    one frame at a time (bounded memory)."""
    neck = getattr(model, 'neck', None)
    if callable(getattr(neck, 'warp', None)):
        from mmpose_posewarper.apis import iter_inference_posewarper
        yield from iter_inference_posewarper(model, input_path, boxes)
        return
    from mmpose.apis import inference_topdown
    from mmpose.structures import merge_data_samples
    if model.cfg.get('test_dataloader') is None:
        # a model-only config: MMPose's standard top-down test pipeline
        model.cfg.test_dataloader = dict(
            dataset=dict(pipeline=[
                dict(type='LoadImage'),
                dict(type='GetBBoxCenterScale'),
                dict(
                    type='TopdownAffine',
                    input_size=model.head.decoder.input_size),
                dict(type='PackPoseInputs')
            ]))
    for frame, frame_boxes in zip(FrameReader(input_path), boxes):
        if len(frame_boxes) == 0:
            yield None
            continue
        yield merge_data_samples(
            inference_topdown(model, frame, frame_boxes[:, :4]))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)

    reader = FrameReader(args.input)
    name = osp.splitext(osp.basename(osp.normpath(args.input)))[0]
    # the two outputs are one set: staged beside the destination, moved into
    # place at the end; checked now, before the long work
    output = OutputSet(
        args.output_root,
        names=[f'{name}.mp4', f'{name}.json'],
        overwrite=args.overwrite,
        inputs=[
            args.input, args.pose_config, args.pose_checkpoint, args.bboxes,
            args.det_config, args.det_checkpoint
        ],
        option='--output-root')
    boxes = None
    if args.bboxes is not None:
        boxes = load_boxes_json(args.bboxes, len(reader), reader.frame_size)
    model = init_model(
        args.pose_config, args.pose_checkpoint, device=args.device)
    with output:
        _run_demo(args, reader, name, model, boxes, output)
    print_log(
        f'wrote {osp.join(args.output_root, name)}.mp4 and .json',
        logger='current')
    return 0


def _run_demo(args: argparse.Namespace, reader: FrameReader, name: str,
              model: nn.Module, boxes: Optional[List[np.ndarray]],
              output: OutputSet) -> None:
    """Boxes (unless given), poses, the rendered video and the JSON file,
    written into ``output``'s staging folder."""
    from mmpose.registry import VISUALIZERS

    # 1. people boxes of every frame (PoseWarper's windows need the boxes of
    # the frames around each frame)
    if boxes is not None:
        boxes = [b[b[:, 4] > args.bbox_thr] for b in boxes]
    else:
        detector = PersonDetector(args.det_config, args.det_checkpoint,
                                  args.device, args.det_cat_id,
                                  args.bbox_thr, args.nms_thr)
        print_log(f'detecting people in {len(reader)} frames of {args.input}',
                  logger='current')
        progress = ProgressBar(len(reader))
        boxes = []
        for frame in reader:
            boxes.append(detector(frame))
            progress.update()
        sys.stdout.write('\n')
        if detector.dropped:
            print_log(
                f'{detector.dropped} detections were dropped: their box has '
                'no size or lies outside the frame (the box rule, '
                'posetrack_io.BOX_RULE)',
                logger='current',
                level=30)
    empty = [t for t, b in enumerate(boxes) if len(b) == 0]
    if len(empty) == len(boxes):
        print_log(
            f'no person box in any of the {len(boxes)} frames of '
            f'{args.input} (score threshold --bbox-thr {args.bbox_thr}'
            + (f', person class --det-cat-id {args.det_cat_id}'
               if args.bboxes is None else '') +
            '): the outputs show the input without poses',
            logger='current',
            level=30)
    elif empty:
        print_log(
            f'no person box in {len(empty)} of {len(boxes)} frames '
            f'(e.g. frame {empty[0]})',
            logger='current',
            level=30)
    track_ids = assign_track_ids(boxes, args.track_iou_thr)

    # 2. poses, drawn frame by frame into the output video
    # the detector switched the default scope to mmdet
    init_default_scope(model.cfg.get('default_scope', 'mmpose'))
    vis_cfg = dict(
        model.cfg.get('visualizer')
        or dict(type='PoseLocalVisualizer', name='visualizer'))
    vis_cfg.update(radius=args.radius, line_width=args.thickness)
    visualizer = VISUALIZERS.build(vis_cfg)
    # a visualizer is a named singleton: when one of that name exists (a
    # second run in one process) the build returns it with its old settings
    visualizer.radius, visualizer.line_width = args.radius, args.thickness
    visualizer.set_dataset_meta(model.dataset_meta)
    out_video = output.path(f'{name}.mp4')
    writer: Optional[cv2.VideoWriter] = None
    people: List[List[dict]] = []
    print_log(f'estimating poses in {len(reader)} frames on {args.device}',
              logger='current')
    progress = ProgressBar(len(reader))
    try:
        for t, (frame, sample) in enumerate(
                zip(reader, _pose_results(model, args.input, boxes))):
            frame_people = []
            if sample is not None and 'pred_instances' in sample and len(
                    sample.pred_instances):
                inst = sample.pred_instances
                if len(inst) != len(boxes[t]):
                    raise RuntimeError(
                        f'frame {t}: {len(inst)} poses for {len(boxes[t])} '
                        'boxes')
                for p in range(len(inst)):
                    frame_people.append(
                        dict(
                            keypoints=inst.keypoints[p],
                            keypoint_scores=inst.keypoint_scores[p],
                            bbox=boxes[t][p, :4],
                            bbox_score=boxes[t][p, 4],
                            track_id=track_ids[t][p]))
                visualizer.add_datasample(
                    'frame',
                    mmcv.bgr2rgb(frame),
                    data_sample=sample,
                    draw_gt=False,
                    draw_bbox=args.draw_bbox,
                    kpt_thr=args.kpt_thr,
                    show=False)
                drawn = mmcv.rgb2bgr(visualizer.get_image())
            else:
                drawn = frame
            people.append(frame_people)
            if writer is None:
                writer = _open_writer(out_video, args.fps or reader.fps,
                                      drawn.shape)
            writer.write(drawn)
            progress.update()
        sys.stdout.write('\n')
    finally:
        # the staging folder (and the video in it) is removed on errors
        if writer is not None:
            writer.release()
    write_posetrack_video(
        output.path(f'{name}.json'), posetrack_video(reader, name, people))
    print_log(
        f'{len(people)} frames, {sum(map(len, people))} poses',
        logger='current')


def _open_writer(path: str, fps: float,
                 shape: Tuple[int, ...]) -> cv2.VideoWriter:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (shape[1], shape[0]))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write the video {path} (mp4v)')
    return writer


if __name__ == '__main__':
    sys.exit(run_tool(main))
