"""PoseTrack dataset of (labeled reference frame, supporting frames) items."""
import logging
import os.path as osp
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import mmpose
import numpy as np
from mmengine.fileio import exists, get_local_path
from mmengine.logging import print_log
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS
from mmpose.structures.bbox import bbox_xywh2xyxy
from xtcocotools.coco import COCO

from ...utils.json_file import JSONFileError, check_json_type, json_field, read_json
from ..box_rule import BOX_RULE, clip_person_box, person_box_problem
from .sparse_labels import check_sparse_cfg, select_labeled_frames



def _mmpose_metainfo_file(name: str) -> str:
    """Path of one of MMPose's metainfo files in its installed ``.mim``.

    MMPose resolves the relative ``configs/_base_/...`` path the same way but
    warns about it on every dataset build; giving the real path avoids that.
    """
    path = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_', 'datasets', name)
    return path if osp.isfile(path) else f'configs/_base_/datasets/{name}'


# The original PoseWarper test order: reference, t-2, t-1, t+1, t+2, with
# weights giving more say to nearer frames (lib/dataset/*_PoseAgg.py and
# MMPose's PoseWarper configs).
DEFAULT_TEST_OFFSETS = (0, -2, -1, 1, 2)
DEFAULT_TEST_WEIGHTS = (0.3, 0.1, 0.25, 0.25, 0.1)
# Training: one supporting frame, only the warped supporting heatmap is
# supervised (reference weight 0), offset drawn from [-2, 2] (zero included,
# as the original's ``delta = -T + randint(2T + 1)`` with T=2).
DEFAULT_TRAIN_RANGE = (-2, 2)
DEFAULT_TRAIN_WEIGHTS = (0.0, 1.0)


@DATASETS.register_module()
class PoseTrackFramePairDataset(BaseCocoStyleDataset):
    """PoseTrack18 top-down dataset whose items are a labeled person instance
    on its (reference) frame plus supporting frames of the same video.

    Each item follows the data contract of ``docs/architecture.md``:
    ``img_path`` is a list (index 0 = reference frame), ``frame_offsets`` the
    offset of each frame from the reference after clipping at the video ends,
    and ``frame_weights`` (float32) the aggregation weight of each frame.
    Keypoints and boxes are the reference frame's.

    Offsets are chosen every time an item is fetched (in
    :meth:`get_data_info`), so in ``'random'`` mode every epoch sees freshly
    drawn supporting frames. (MMPose 1.x's ``PoseTrack18VideoDataset`` draws
    them once when the annotation is loaded.) The draw uses NumPy's global RNG
    like MMPose's transforms, so it follows ``randomness.seed``; keep
    ``persistent_workers=True`` in the dataloader, otherwise re-created
    workers are re-seeded identically every epoch.

    Supported annotation formats (``ann_file``):

    - a **file**: COCO-style JSON as MMPose's PoseTrack18 datasets read
      (e.g. ``posetrack18_train.json``; a single official per-video file is
      also COCO-style and works). Images need ``file_name`` and ``nframes``.
    - a **directory** of official PoseTrack18 per-video JSON files
      (``annotations/train/*.json``), read and validated by
      :mod:`mmpose_posewarper.datasets.posetrack_io`.

    PoseTrack17: its official annotations are MPII-style ``annolist``
    (.mat/JSON) with 15 joints in another order; they are not read here.
    Convert them to the COCO-style PoseTrack18 layout (17 keypoints in
    PoseTrack18 order, ``nframes`` per image) first, e.g. with the PoseTrack
    team's ``poseval`` converter or the PoseWarper authors' converted JSON
    files (MMPose's PoseTrack17 data is also COCO-style), then set
    ``frame_index_base=1`` because PoseTrack17 numbers frames from 1
    (``00000001.jpg``). One reader for one format keeps clipping and
    validation in one place.

    Frame numbers come from the image file name stem (``000012.jpg`` -> 12),
    as in the original code; supporting frames are found next to the
    reference frame with the same zero padding and extension.

    Args:
        ann_file (str): COCO-style JSON file or directory of per-video files.
        bbox_file (str, optional): Person detections (COCO results format:
            ``image_id`` or ``image_name``, ``bbox`` xywh, ``score``,
            ``category_id``). Test mode only; filter with
            ``filter_cfg=dict(bbox_score_thr=...)`` as in MMPose.
        frame_sampler_mode (str, optional): ``'random'`` (training: draw
            ``num_sampled_frames`` offsets uniformly from ``frame_range``) or
            ``'fixed'`` (use ``frame_offsets``). Defaults to ``'fixed'`` in
            test mode and ``'random'`` otherwise.
        frame_range (int | Sequence[int]): Inclusive offset range for
            ``'random'``; an int ``T`` means ``[-T, T]``. Defaults to
            ``(-2, 2)``.
        num_sampled_frames (int): Supporting frames per item in ``'random'``
            mode. Defaults to 1.
        frame_offsets (Sequence[int]): Offsets for ``'fixed'`` mode; the first
            must be 0 (the reference). Defaults to ``(0, -2, -1, 1, 2)``.
        frame_weights (Sequence[float], optional): Aggregation weight per
            frame (reference first); non-negative, summing to 1. Defaults to
            ``(0.0, 1.0)`` for one random supporting frame and
            ``(0.3, 0.1, 0.25, 0.25, 0.1)`` for the default fixed offsets.
        frame_index_base (int): Number of the first frame of a video (0 for
            PoseTrack18, 1 for PoseTrack17). Defaults to 0.
        sparse_cfg (dict, optional): Keep labels only on some frames, see
            :func:`..sparse_labels.check_sparse_cfg`; e.g.
            ``dict(mode='every_k', k=7, phase=0)`` or
            ``dict(mode='per_video', num_frames=1)``. Frames losing their
            labels stay usable as supporting frames. Defaults to None.
        pseudo_label_dir (str, optional): Directory of per-video PoseTrack18
            files with propagated (pseudo) labels, e.g. written by
            ``tools/propagate_labels.py`` (the original's
            ``*_wPseudoGT.json`` training). Their people become extra items
            (``is_pseudo=True``) on frames that keep no real label after
            ``sparse_cfg``; where both exist the real label wins. Frames must
            belong to videos of ``ann_file`` (matched by ``file_name``).
            Relative paths are joined with ``data_root``. Defaults to None.
        pseudo_kpt_thr (float): A pseudo keypoint counts as visible when its
            third value (visibility flag as written by
            ``apis/propagation.py``, or a score) is above this threshold.
            Defaults to 0.2 (the original's visibility threshold).
        data_mode (str): Only ``'topdown'`` is supported.
        metainfo (dict, optional): Defaults to MMPose's PoseTrack18 metainfo.
        data_root, data_prefix, filter_cfg, indices, serialize_data,
        pipeline, test_mode, lazy_init, max_refetch, sample_interval: As in
            :class:`mmpose.datasets.BaseCocoStyleDataset`.
    """

    METAINFO: dict = dict(from_file=_mmpose_metainfo_file('posetrack18.py'))

    def __init__(self,
                 ann_file: str = '',
                 bbox_file: Optional[str] = None,
                 frame_sampler_mode: Optional[str] = None,
                 frame_range: Union[int, Sequence[int]] = DEFAULT_TRAIN_RANGE,
                 num_sampled_frames: int = 1,
                 frame_offsets: Sequence[int] = DEFAULT_TEST_OFFSETS,
                 frame_weights: Optional[Sequence[float]] = None,
                 frame_index_base: int = 0,
                 sparse_cfg: Optional[dict] = None,
                 pseudo_label_dir: Optional[str] = None,
                 pseudo_kpt_thr: float = 0.2,
                 data_mode: str = 'topdown',
                 metainfo: Optional[dict] = None,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img=''),
                 filter_cfg: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 pipeline: List[Union[dict, Callable]] = [],
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 max_refetch: int = 1000,
                 sample_interval: int = 1):
        if data_mode != 'topdown':
            raise ValueError(f'{self.__class__.__name__} supports only data_mode="topdown" '
                             f'(one person per item), got {data_mode!r}')
        if frame_sampler_mode is None:
            frame_sampler_mode = 'fixed' if test_mode else 'random'
        if frame_sampler_mode not in ('random', 'fixed'):
            raise ValueError(f'frame_sampler_mode must be "random" or "fixed", '
                             f'got {frame_sampler_mode!r}')
        self.frame_sampler_mode = frame_sampler_mode

        if frame_sampler_mode == 'random':
            if isinstance(frame_range, int):
                if frame_range < 0:
                    raise ValueError(f'frame_range must be >= 0, got {frame_range}')
                frame_range = (-frame_range, frame_range)
            frame_range = tuple(int(r) for r in frame_range)
            if len(frame_range) != 2 or frame_range[0] > frame_range[1]:
                raise ValueError(f'frame_range must be (low, high) with low <= high, '
                                 f'got {frame_range}')
            if not isinstance(num_sampled_frames, int) or num_sampled_frames < 1:
                raise ValueError(f'num_sampled_frames must be an int >= 1, '
                                 f'got {num_sampled_frames!r}')
            num_frames = 1 + num_sampled_frames
            if frame_weights is None:
                if num_sampled_frames != 1:
                    raise ValueError('frame_weights must be given when num_sampled_frames != 1')
                frame_weights = DEFAULT_TRAIN_WEIGHTS
        else:
            frame_offsets = tuple(int(o) for o in frame_offsets)
            if not frame_offsets or frame_offsets[0] != 0:
                raise ValueError('frame_offsets must start with 0 (index 0 is the reference '
                                 f'frame), got {frame_offsets}')
            num_frames = len(frame_offsets)
            if frame_weights is None:
                if frame_offsets != DEFAULT_TEST_OFFSETS:
                    raise ValueError('frame_weights must be given for non-default frame_offsets')
                frame_weights = DEFAULT_TEST_WEIGHTS
        self.frame_range = tuple(frame_range) if frame_sampler_mode == 'random' else None
        self.num_sampled_frames = num_sampled_frames if frame_sampler_mode == 'random' else None
        self.frame_offsets = frame_offsets if frame_sampler_mode == 'fixed' else None

        weights = np.asarray(frame_weights, dtype=np.float32)
        if weights.shape != (num_frames, ):
            raise ValueError(f'frame_weights has {weights.size} entries but each item has '
                             f'{num_frames} frames')
        if (weights < 0).any() or not np.isclose(weights.sum(), 1.0, atol=1e-5):
            raise ValueError(f'frame_weights must be non-negative and sum to 1, '
                             f'got {list(frame_weights)}')
        self.frame_weights = weights
        self.frame_index_base = int(frame_index_base)
        self.sparse_cfg = check_sparse_cfg(sparse_cfg)
        if bbox_file and (self.sparse_cfg is not None or pseudo_label_dir):
            raise ValueError('sparse_cfg / pseudo_label_dir select labeled people; they cannot '
                             'be combined with detected boxes (bbox_file)')
        if pseudo_label_dir and data_root and not osp.isabs(pseudo_label_dir):
            pseudo_label_dir = osp.join(data_root, pseudo_label_dir)
        self.pseudo_label_dir = pseudo_label_dir
        self.pseudo_kpt_thr = float(pseudo_kpt_thr)
        # Filled by load_data_list: video key -> kept labeled frame indices.
        self.labeled_frames: Dict[str, List[int]] = {}
        # Filled by load_data_list: people left out for their box
        # ('<file>: annotation id N: bbox <problem>'), see box_rule.BOX_RULE
        self.unusable_boxes: List[str] = []

        super().__init__(
            ann_file=ann_file,
            bbox_file=bbox_file,
            data_mode=data_mode,
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=data_prefix,
            filter_cfg=filter_cfg,
            indices=indices,
            serialize_data=serialize_data,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch,
            sample_interval=sample_interval)

    # ------------------------------------------------------------------
    # frame selection (per fetch)
    # ------------------------------------------------------------------
    def sample_offsets(self) -> List[int]:
        """Offsets (reference first, unclipped) for one fetch of an item."""
        if self.frame_sampler_mode == 'fixed':
            return list(self.frame_offsets)
        low, high = self.frame_range
        drawn = np.random.randint(low, high + 1, size=self.num_sampled_frames)
        return [0] + [int(o) for o in drawn]

    def get_data_info(self, idx: int) -> dict:
        """Get the idx-th item with freshly chosen supporting frames.

        Args:
            idx (int): Index of the item.

        Returns:
            dict: Data info with ``img_path`` (list), ``frame_offsets`` and
            ``frame_weights`` added.
        """
        data_info = super().get_data_info(idx)
        ref_path = data_info['img_path']
        ref_idx = data_info['frame_idx']
        first = self.frame_index_base
        last = first + data_info['nframes'] - 1
        stem, ext = osp.splitext(osp.basename(ref_path))
        folder = osp.dirname(ref_path)

        paths, offsets = [], []
        for off in self.sample_offsets():
            t = int(np.clip(ref_idx + off, first, last))
            offsets.append(t - ref_idx)
            paths.append(ref_path if t == ref_idx else
                         osp.join(folder, str(t).zfill(len(stem)) + ext))
        data_info['img_path'] = paths
        data_info['frame_offsets'] = offsets
        data_info['frame_weights'] = self.frame_weights.copy()
        return data_info

    # ------------------------------------------------------------------
    # annotation loading (once)
    # ------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        """Read the annotations (and detections) into one item per person."""
        self.unusable_boxes = []
        images, annotations, categories = self._load_video_annotations()
        if categories:
            self._metainfo['CLASSES'] = categories
        if self.bbox_file:
            items = self._load_detection_items(images)
        else:
            items = self._load_gt_items(images, annotations)
            if self.pseudo_label_dir:
                items += self._load_pseudo_items(images)
        if self.unusable_boxes:
            # the box rule is the package's one (box_rule.BOX_RULE): such
            # a crop holds no part of the person
            print_log(
                f'{self.__class__.__name__}: {len(self.unusable_boxes)} '
                'people are left out because their box is unusable '
                f'({BOX_RULE}), e.g. ' + '; '.join(self.unusable_boxes[:3]),
                logger='current',
                level=logging.WARNING)
        return items

    def _load_video_annotations(self) -> Tuple[Dict[int, dict], List[dict], List[dict]]:
        """Return ``images`` (id -> normalised image), annotations, categories.

        A normalised image has ``id, file_name, img_path, frame_idx, nframes,
        video, vid_id, is_labeled, width, height`` (width/height may be None).
        """
        if not exists(self.ann_file):
            raise FileNotFoundError(f'{self.__class__.__name__}: annotation path '
                                    f'{self.ann_file} does not exist')
        if osp.isdir(self.ann_file):
            raw_images, raw_anns, cats = self._read_per_video_dir(self.ann_file)
        else:
            with get_local_path(self.ann_file) as local_path:
                coco = COCO(local_path, ann_data=self._read_coco_json(local_path))
            raw_images = list(coco.imgs.values())
            raw_anns = list(coco.anns.values())
            cats = coco.loadCats(coco.getCatIds()) if 'categories' in coco.dataset else []
        images = {}
        for img in raw_images:
            norm = self._normalise_image(img)
            images[norm['id']] = norm
        return images, raw_anns, cats

    @staticmethod
    def _read_coco_json(path: str) -> dict:
        """The merged COCO-style file, with the fields COCO's index reads
        checked (``FILE: images[3].id: missing`` instead of a KeyError)."""
        data = read_json(path, what='ann_file', expect=dict)
        for key, fields in (('images', ('id', )), ('annotations', ('id', 'image_id')),
                            ('categories', ('id', ))):
            if key == 'images':  # required; the others may be left out
                entries = json_field(data, key, list, path, what='ann_file')
            else:
                entries = json_field(data, key, list, path, what='ann_file', default=[])
            for i, entry in enumerate(entries):
                for field in fields:
                    json_field(entry, field, None, path, where=f'{key}[{i}]',
                               what='ann_file')
        return data

    def _read_per_video_dir(self, ann_dir: str) -> Tuple[List[dict], List[dict], List[dict]]:
        """Read a directory of per-video PoseTrack18 files via posetrack_io
        (which validates them and returns keypoints in canonical order)."""
        from ..posetrack_io import load_posetrack_dir
        videos = load_posetrack_dir(ann_dir)
        images, anns, cats = [], [], []
        owner: Dict[object, str] = {}
        for name, video in videos.items():
            for img in video['images']:
                if img['id'] in owner:
                    raise ValueError(f'{ann_dir}: image id {img["id"]} appears in both '
                                     f'{owner[img["id"]]}.json and {name}.json')
                owner[img['id']] = name
                images.append(img)
            for ann in video['annotations']:
                ann = dict(ann)
                # (K, 3) arrays -> the flat COCO layout the shared parser reads
                ann['keypoints'] = np.asarray(ann['keypoints'], dtype=np.float32).reshape(-1)
                anns.append(ann)
            cats = cats or list(video.get('categories', []))
        return images, anns, cats

    def _normalise_image(self, img: dict, source: Optional[str] = None) -> dict:
        where = f'{source or self.ann_file}: image id {img.get("id")}'
        for field in ('id', 'file_name', 'nframes'):
            if field not in img:
                raise JSONFileError(source or self.ann_file,
                                    f'image id {img.get("id")}: {field}', 'missing')
        file_name = img['file_name']
        stem = osp.splitext(osp.basename(file_name))[0]
        if not stem.isdigit():
            raise ValueError(f'{where}: "file_name" {file_name!r} does not end in a frame '
                             'number (e.g. 000012.jpg)')
        nframes = int(img['nframes'])
        frame_idx = int(stem)
        if nframes < 1 or not (self.frame_index_base <= frame_idx
                               < self.frame_index_base + nframes):
            raise ValueError(f'{where}: frame {frame_idx} of {file_name!r} is outside the video '
                             f'([{self.frame_index_base}, '
                             f'{self.frame_index_base + nframes - 1}] from "nframes"={nframes}); '
                             'for PoseTrack17 set frame_index_base=1')
        video = osp.dirname(file_name)
        return dict(
            id=img['id'],
            file_name=file_name,
            img_path=osp.join(self.data_prefix['img'], file_name),
            frame_idx=frame_idx,
            nframes=nframes,
            video=video,
            vid_id=str(img.get('vid_id', video)),
            is_labeled=img.get('is_labeled'),
            width=img.get('width'),
            height=img.get('height'))

    def _base_item(self, img: dict) -> dict:
        """Fields every item of this image shares."""
        return dict(
            img_id=img['id'],
            img_path=img['img_path'],
            frame_idx=img['frame_idx'],
            nframes=img['nframes'],
            vid_id=img['vid_id'])

    def _load_gt_items(self, images: Dict[int, dict], annotations: List[dict]) -> List[dict]:
        num_kpts = self.metainfo['num_keypoints']
        anns_by_img = defaultdict(list)
        for ann in annotations:
            if ann.get('image_id') not in images:
                raise ValueError(f'{self.ann_file}: annotation id {ann.get("id")} points at '
                                 f'image_id {ann.get("image_id")!r}, which is not in "images"')
            anns_by_img[ann['image_id']].append(ann)

        # Labeled frames per video, then the sparse selection.
        labeled = defaultdict(set)
        for img_id, img in images.items():
            is_labeled = img['is_labeled']
            if is_labeled is None:
                is_labeled = bool(anns_by_img.get(img_id))
            if is_labeled:
                labeled[img['video']].add(img['frame_idx'])
        self.labeled_frames = {
            video: select_labeled_frames(frames, self.sparse_cfg)
            for video, frames in sorted(labeled.items())
        }
        kept = {(v, t) for v, frames in self.labeled_frames.items() for t in frames}

        items = []
        for img_id in sorted(images, key=lambda i: (images[i]['video'], images[i]['frame_idx'])):
            img = images[img_id]
            if (img['video'], img['frame_idx']) not in kept or \
                    (self.sample_interval > 1 and img['id'] % self.sample_interval != 0):
                continue
            for ann in anns_by_img.get(img_id, []):
                item = self._parse_instance(ann, img, num_kpts)
                if item is not None:
                    items.append(item)
        return items

    def _load_pseudo_items(self, images: Dict[int, dict]) -> List[dict]:
        """Items from propagated labels on frames without a kept real label."""
        from ..posetrack_io import load_posetrack_dir
        num_kpts = self.metainfo['num_keypoints']
        nframes_of = {img['video']: img['nframes'] for img in images.values()}
        kept = {(v, t) for v, frames in self.labeled_frames.items() for t in frames}
        items = []
        for name, video in load_posetrack_dir(self.pseudo_label_dir).items():
            source = osp.join(self.pseudo_label_dir, f'{name}.json')
            pimgs = {}
            for pimg in video['images']:
                folder = osp.dirname(pimg['file_name'])
                if folder not in nframes_of:
                    raise ValueError(f'{source}: image {pimg["file_name"]!r} belongs to no '
                                     f'video of {self.ann_file}')
                # The video length comes from the real annotation: a pseudo
                # file may list only the frames it labels.
                pimg = dict(pimg, nframes=nframes_of[folder])
                pimgs[pimg['id']] = self._normalise_image(pimg, source)
            for ann in video['annotations']:
                img = pimgs[ann['image_id']]
                if (img['video'], img['frame_idx']) in kept:
                    continue  # a real label wins over a propagated one
                item = self._parse_instance(ann, img, num_kpts, source=source,
                                            pseudo=True)
                if item is not None:
                    items.append(item)
        return items

    def _parse_instance(self,
                        ann: dict,
                        img: dict,
                        num_kpts: int,
                        source: Optional[str] = None,
                        pseudo: bool = False) -> Optional[dict]:
        """One item from one annotated person (None if unusable).

        Pseudo labels carry a score as third keypoint value: it is turned
        into visibility with ``pseudo_kpt_thr``, and a missing box is taken
        from the visible keypoints (GetBBoxCenterScale pads it later).
        """
        where = f'{source or self.ann_file}: annotation id {ann.get("id")}'
        if ann.get('keypoints') is None or (ann.get('bbox') is None and not pseudo):
            return None
        kpts = np.asarray(ann['keypoints'], dtype=np.float32).reshape(-1)
        if kpts.size != num_kpts * 3:
            raise ValueError(f'{where}: "keypoints" has {kpts.size} values, expected '
                             f'{num_kpts * 3} ({num_kpts} keypoints x 3)')
        kpts = kpts.reshape(1, num_kpts, 3)
        if pseudo:
            visible = (kpts[..., 2] > self.pseudo_kpt_thr).astype(np.float32)
        else:
            visible = np.minimum(1, kpts[..., 2])
        if ann.get('bbox') is None:
            if not visible.any():
                return None
            xy = kpts[0, visible[0] > 0, :2]
            (x, y), (x2, y2) = xy.min(0), xy.max(0)
            ann = dict(ann, bbox=[x, y, x2 - x, y2 - y])
        if np.size(ann['bbox']) != 4:
            raise ValueError(f'{where}: "bbox" must be [x, y, w, h], got {ann["bbox"]}')
        size = (img['width'], img['height']) if img['width'] and img['height'] \
            else (None, None)
        problem = person_box_problem(ann['bbox'], *size)
        if problem is not None:
            self.unusable_boxes.append(f'{where}: bbox {problem}')
            return None
        if size[0] is not None:
            # Same clipping as MMPose's COCO-style datasets.
            x1, y1, x2, y2 = clip_person_box(ann['bbox'], *size)
        else:
            x, y, w, h = (float(v) for v in np.asarray(ann['bbox']).reshape(-1))
            x1, y1, x2, y2 = x, y, x + w, y + h
        bbox = np.array([x1, y1, x2, y2], dtype=np.float32).reshape(1, 4)
        item = self._base_item(img)
        item.update(
            bbox=bbox,
            bbox_score=np.ones(1, dtype=np.float32),
            keypoints=kpts[..., :2],
            keypoints_visible=visible,
            num_keypoints=int(ann.get('num_keypoints', np.count_nonzero(visible))),
            area=np.array(ann.get('area', max((x2 - x1) * (y2 - y1) * 0.53, 1.0)),
                          dtype=np.float32),
            iscrowd=int(bool(ann.get('iscrowd', 0))),
            id=ann['id'],
            category_id=np.array(ann.get('category_id', 1)),
            track_id=ann.get('track_id', -1),
            is_pseudo=pseudo)
        # Same sanity filter as MMPose (no keypoints, crowd, empty box).
        return item if self._is_valid_instance(item) else None

    def _load_detection_items(self, images: Dict[int, dict]) -> List[dict]:
        if not exists(self.bbox_file):
            raise FileNotFoundError(f'{self.__class__.__name__}: bbox_file {self.bbox_file} '
                                    'does not exist')
        with get_local_path(self.bbox_file) as local_path:
            dets = read_json(local_path, what='bbox_file', expect=list)
        for i, det in enumerate(dets):
            check_json_type(det, dict, self.bbox_file, f'[{i}]', what='bbox_file')
        by_name = {img['file_name']: img for img in images.values()}
        num_kpts = self.metainfo['num_keypoints']
        items = []
        for i, det in enumerate(dets):
            where = f'{self.bbox_file}: entry {i}'
            if det.get('category_id', 1) != 1:
                continue
            if 'image_name' in det:
                img = by_name.get(det['image_name'])
                key = f'image_name {det["image_name"]!r}'
            else:
                img = images.get(det.get('image_id'))
                key = f'image_id {det.get("image_id")!r}'
            if img is None:
                raise ValueError(f'{where}: {key} is not an image of {self.ann_file}')
            for field in ('bbox', 'score'):
                json_field(det, field, None, self.bbox_file, where=f'[{i}]',
                           what='bbox_file')
            size = (img['width'], img['height']) if img['width'] and img['height'] \
                else (None, None)
            problem = person_box_problem(det['bbox'][:4], *size)
            if problem is not None:
                # a crop of it would give a pose on one point
                self.unusable_boxes.append(f'{where}: bbox {problem}')
                continue
            item = self._base_item(img)
            item.update(
                bbox=bbox_xywh2xyxy(np.array(det['bbox'][:4], dtype=np.float32).reshape(1, 4)),
                bbox_score=np.array(det['score'], dtype=np.float32).reshape(1),
                # dummy keypoints, as MMPose does for detections
                keypoints=np.zeros((1, num_kpts, 2), dtype=np.float32),
                keypoints_visible=np.ones((1, num_kpts), dtype=np.float32),
                id=i,
                category_id=np.array(1),
                track_id=-1)
            items.append(item)
        return items
