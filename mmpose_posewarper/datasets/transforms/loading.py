"""Loading of a reference frame plus its supporting frames."""
import logging
from typing import List, Optional

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmengine.logging import print_log
from mmpose.datasets.transforms import LoadImage
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadMultiFrameImages(LoadImage):
    """Load every frame listed in ``results['img_path']``.

    ``img_path`` is a list whose element 0 is the reference (labeled) frame
    and the rest are supporting frames (see docs/architecture.md). A plain
    string is loaded as a one-frame list so single-frame data still works.

    A missing *supporting* frame is replaced by the reference frame, as the
    original PoseWarper code does (PoseTrack videos sometimes lack frames near
    the ends). Unlike the original this is not silent: every replacement is
    counted in :attr:`num_missing_frames`, the first one is reported with an
    MMEngine logger warning, and the sample's ``img_path`` / ``frame_offsets``
    entries are rewritten to the reference so the meta information describes
    the pixels actually used. A missing *reference* frame is an error
    (or ``None`` with ``ignore_empty=True``, so the dataset refetches).

    Required Keys:

        - img_path (list[str] | str)
        - frame_offsets (list[int], optional)

    Modified Keys:

        - img (list[np.ndarray]): frames, same order as ``img_path``
        - img_shape, ori_shape: of the reference frame
        - img_path, frame_offsets: entries of replaced frames

    Args:
        to_float32 (bool): Convert images to float32. Defaults to False.
        color_type (str): Flag for :func:`mmcv.imfrombytes`. Defaults to
            'color'.
        imdecode_backend (str): Decoding backend. Defaults to 'cv2'.
        ignore_empty (bool): Return ``None`` instead of raising when the
            reference frame is missing. Defaults to False.
        backend_args (dict, optional): File backend arguments.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Counted per transform instance (i.e. per dataloader worker).
        self.num_missing_frames = 0
        self._warned = False

    def _read(self, path: str) -> np.ndarray:
        """Read and decode one frame; raise naming the file if undecodable."""
        if self.file_client_args is not None:
            client = fileio.FileClient.infer_client(self.file_client_args, path)
            img_bytes = client.get(path)
        else:
            img_bytes = fileio.get(path, backend_args=self.backend_args)
        img = mmcv.imfrombytes(img_bytes, flag=self.color_type, backend=self.imdecode_backend)
        if img is None:
            raise ValueError(f'LoadMultiFrameImages: could not decode image file {path}')
        if self.to_float32:
            img = img.astype(np.float32)
        return img

    def _exists(self, path: str) -> bool:
        if self.file_client_args is not None:
            return fileio.FileClient.infer_client(self.file_client_args, path).exists(path)
        return fileio.exists(path, backend_args=self.backend_args)

    def _report_missing(self, path: str, ref_path: str) -> None:
        self.num_missing_frames += 1
        if not self._warned:
            self._warned = True
            print_log(
                f'LoadMultiFrameImages: supporting frame {path} does not exist; using the '
                f'reference frame {ref_path} in its place. Further missing supporting '
                'frames are replaced silently and counted in '
                'LoadMultiFrameImages.num_missing_frames.',
                logger='current',
                level=logging.WARNING)

    def transform(self, results: dict) -> Optional[dict]:
        """Load the reference and supporting frames.

        Args:
            results (dict): Result dict with ``img_path``.

        Returns:
            dict | None: The result dict, or ``None`` when the reference frame
            is missing and ``ignore_empty`` is set.
        """
        if 'img' in results:
            # Frames given in memory (inference API): keep the parent's
            # behaviour for one array, accept a list of arrays.
            imgs = results['img']
            if isinstance(imgs, np.ndarray):
                imgs = [imgs]
            if not imgs or not all(isinstance(i, np.ndarray) for i in imgs):
                raise TypeError('LoadMultiFrameImages: results["img"] must be an array or a '
                                'non-empty list of arrays')
            if self.to_float32:
                imgs = [i.astype(np.float32) for i in imgs]
            results['img'] = list(imgs)
            results.setdefault('img_path', None)
            results['img_shape'] = imgs[0].shape[:2]
            results['ori_shape'] = imgs[0].shape[:2]
            return results

        paths = results.get('img_path')
        if isinstance(paths, str):
            paths = [paths]
        if not paths:
            raise KeyError('LoadMultiFrameImages: results has no "img_path" (list of frame paths)')
        paths = list(paths)

        ref_path = paths[0]
        if not self._exists(ref_path):
            if self.ignore_empty:
                return None
            raise FileNotFoundError(
                f'LoadMultiFrameImages: reference frame {ref_path} does not exist '
                '(img_path[0] of the sample)')
        ref = self._read(ref_path)

        offsets = results.get('frame_offsets')
        offsets = list(offsets) if offsets is not None else None
        imgs: List[np.ndarray] = [ref]
        for i, path in enumerate(paths[1:], start=1):
            if path == ref_path:
                # Offset clipped to 0 at a video end: reuse, no second read.
                imgs.append(ref.copy())
                continue
            if not self._exists(path):
                self._report_missing(path, ref_path)
                imgs.append(ref.copy())
                paths[i] = ref_path
                if offsets is not None:
                    offsets[i] = 0
                continue
            img = self._read(path)
            if img.shape != ref.shape:
                # Frames share one affine transform; different sizes would
                # silently misalign them.
                raise ValueError(
                    f'LoadMultiFrameImages: supporting frame {path} has shape {img.shape} but '
                    f'the reference frame {ref_path} has shape {ref.shape}')
            imgs.append(img)

        results['img'] = imgs
        results['img_path'] = paths
        if offsets is not None:
            results['frame_offsets'] = offsets
        results['img_shape'] = ref.shape[:2]
        results['ori_shape'] = ref.shape[:2]
        return results
