"""Person boxes from an MMDet detector, as MMPose's top-down demo gets them
(one class, a score threshold, NMS), with the package's rules: the
detector's checkpoint must fit it, and boxes breaking the box rule
(``box_rule.BOX_RULE``) are dropped and counted."""
import os.path as osp
from typing import Sequence, Union

import numpy as np
from mmengine.registry import DefaultScope

from ..datasets.box_rule import person_box_problem
from .model import load_checked_checkpoint

__all__ = ['PersonDetector']


class PersonDetector:
    """An MMDet detector filtered to the person class(es), a score and NMS,
    as in MMPose's ``topdown_demo_with_mmdet.py``.

    Args:
        config (str): MMDet config file.
        checkpoint (str): Its checkpoint; every weight of the detector must
            be in it (``load_checked_checkpoint``), so a checkpoint of
            another model never runs as random weights.
        device (str): Device, e.g. ``'cpu'`` or ``'cuda:0'``.
        cat_id (int | Sequence[int]): Class index (indices) of "person" in
            the detector's classes (0 for COCO detectors).
        bbox_thr (float): Keep boxes scoring above this. Defaults to 0.3.
        nms_thr (float): IoU threshold of the NMS. Defaults to 0.3.

    Attributes:
        dropped (int): Detections dropped so far by the box rule (no size,
            or outside the frame).
    """

    def __init__(self,
                 config: str,
                 checkpoint: str,
                 device: str,
                 cat_id: Union[int, Sequence[int]] = 0,
                 bbox_thr: float = 0.3,
                 nms_thr: float = 0.3) -> None:
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
        self.dropped = 0

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        """Person boxes of one BGR frame: ``(N, 5)`` float32, xyxy + score,
        best first after NMS."""
        from mmdet.apis import inference_detector
        from mmpose.evaluation.functional import nms

        # frames are detected between pose steps (online): the detector's
        # registry scope only for this call
        with DefaultScope.overwrite_default_scope('mmdet'):
            pred = inference_detector(self.model, frame).pred_instances
        pred = pred.cpu().numpy()
        boxes = np.concatenate([pred.bboxes, pred.scores[:, None]], axis=1)
        keep = np.isin(pred.labels, np.atleast_1d(self.cat_id)) & (
            pred.scores > self.bbox_thr)
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
