"""Multi-frame versions of MMPose transforms that draw their randomness per image.

MMPose's geometric transforms (``RandomFlip``, ``TopdownAffine``) already
accept ``results['img']`` as a list and apply one transform to every frame;
``GetBBoxCenterScale``, ``RandomBBoxTransform``, ``RandomHalfBody`` and
``GenerateTarget`` do not touch the image at all. The photometric transform
is the exception: it reads a single array, so it is wrapped here.
"""
from mmcv.transforms.utils import cache_random_params
from mmpose.datasets.transforms import PhotometricDistortion
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MultiFramePhotometricDistortion(PhotometricDistortion):
    """:class:`mmpose.datasets.transforms.PhotometricDistortion` applied
    identically to every frame of ``results['img']``.

    The random parameters (brightness, contrast, saturation, hue, channel
    swap) are drawn once per sample and reused for all frames: the warping
    network must see the same appearance change on the reference and the
    supporting frames, otherwise it would learn to undo colour jitter instead
    of motion. A single array is handled exactly as by the parent.

    Args:
        brightness_delta (int): Delta of brightness. Defaults to 32.
        contrast_range (Sequence[float]): Range of contrast. Defaults to
            (0.5, 1.5).
        saturation_range (Sequence[float]): Range of saturation. Defaults to
            (0.5, 1.5).
        hue_delta (int): Delta of hue. Defaults to 18.
    """

    def transform(self, results: dict) -> dict:
        """Distort all frames with one set of random parameters.

        Args:
            results (dict): Result dict with ``img`` (array or list).

        Returns:
            dict: The result dict with distorted image(s).
        """
        imgs = results.get('img')
        if not isinstance(imgs, (list, tuple)):
            return super().transform(results)
        out = []
        # cache_random_params makes `_random_flags` (a @cache_randomness
        # method) return the values of its first call for every frame.
        with cache_random_params(self):
            for img in imgs:
                out.append(super().transform({'img': img})['img'])
        results['img'] = out
        return results
