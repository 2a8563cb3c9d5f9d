"""Corrections back from an annotation tool: reviewed people to train on.

``tools/import_annotations.py`` reads a corrected CVAT export (XML or COCO,
``annotation_videos.read_annotator_file``): a keyframe whose
``needs_review`` is false is manual (labeled or corrected), one still true
is propagated, interpolated frames (``keyframe="0"``) are dropped; the
person is its ``person_id``. The task's frames are mapped back to a
PoseTrack18 video that lists them (``template``: the propagation's
``annotations/<video>.json`` or the sparse input), frame ``i`` to its
``i``-th frame. This module builds from that

* the corrected PoseTrack18 video (:func:`corrected_video`): manual people
  as labels, the others marked ``is_labeled: false`` and ``needs_review:
  true``, so that propagating it again uses only the reviewed frames;
* the two COCO-style files of the augmentation configs (job 3,
  :func:`training_parts`): the manual and the propagated people.
"""
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .annotation_people import PersonFrame
from .annotation_videos import people_to_video
from .posetrack_videos import video_frames, videos_to_coco

#: Image fields of a propagation output that describe the old propagation.
_PROPAGATION_IMAGE_KEYS = ('is_labeled', 'source_frame', 'propagation_offset',
                           'second_source_frame', 'frame_index')


def template_images(template: Mapping[str, Any], name: str = '<video>',
                    frame_index_base: int = 0) -> List[Dict[str, Any]]:
    """Every frame of a template video in order, without the fields of an
    earlier propagation."""
    frames = video_frames(template, name, frame_index_base)
    return [{k: v for k, v in frames[t].items()
             if k not in _PROPAGATION_IMAGE_KEYS} for t in sorted(frames)]


def corrected_video(people: Sequence[PersonFrame], template: Mapping[str,
                                                                     Any],
                    name: str = '<video>', frame_index_base: int = 0,
                    size: Optional[Tuple[int, int]] = None
                    ) -> Dict[str, Any]:
    """The corrected PoseTrack18 video: ``template``'s frames with
    ``people`` (see :func:`.annotation_videos.people_to_video`)."""
    return people_to_video(people,
                           template_images(template, name, frame_index_base),
                           name, frame_index_base, size)


def _propagated_only(video: Mapping[str, Any]) -> Dict[str, Any]:
    anns = [a for a in video['annotations'] if a.get('is_labeled', True)
            is False]
    with_people = {a['image_id'] for a in anns}
    images = [dict(img, is_labeled=img['id'] in with_people)
              for img in video['images']]
    return dict(video, images=images, annotations=anns)


def training_parts(videos: Mapping[str, Mapping[str, Any]],
                   img_root: Optional[str] = None,
                   skipped: Optional[List[Dict[str, Any]]] = None
                   ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The manual and the propagated COCO-style files (MMPose's
    ``PoseTrack18Dataset`` layout) of corrected videos, as
    ``tools/propagate_labels.py`` writes them."""
    manual = videos_to_coco(videos, 'manual', img_root=img_root,
                            skipped=skipped)
    propagated = videos_to_coco(
        {n: _propagated_only(v) for n, v in videos.items()}, 'propagated',
        img_root=img_root, skipped=skipped)
    return manual, propagated
