"""What a finished run writes at its end, from its steps' results
(:class:`~.steps.SparseBenchmark`): ``results.json``, ``controls.json``,
``results.md``, ``results.png`` and the propagation strip."""
import os.path as osp
from typing import Any, Dict, List, Mapping

import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video
from mmpose_posewarper.datasets.posetrack_videos import frame_number
from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)

from .job_log import LOGGER
from .report import STRIP_METHODS, bar_plot, markdown_table, picture_strip
from .settings import AUGMENTATION_LABELS, RESULT_KEYS


def augmentation_results(model_scores: Mapping[str, float]
                         ) -> Dict[str, float]:
    """results.json's ``augmentation`` from the scored stages."""
    augmentation = dict(sparse_only=model_scores['sparse_only'])
    augmentation.update({key: model_scores[f'augmented_{source}']
                         for source, key in AUGMENTATION_LABELS.items()
                         if f'augmented_{source}' in model_scores})
    return augmentation


def run_results(job: Any, wall_seconds: float) -> Dict[str, Any]:
    """The content of results.json."""
    p, m = job.propagation_scores, job.model_scores
    domain_gap = {k: m[k] for k in RESULT_KEYS['domain_gap'] if k in m}
    return dict(
        propagation={k: p[k] for k in RESULT_KEYS['propagation']},
        augmentation=augmentation_results(m),
        aggregation=dict(single_frame=m['single_frame'],
                         temporal=m['posewarper']),
        **(dict(domain_gap=domain_gap) if domain_gap else {}),
        propagation_by_distance={
            method: {str(d): v for d, v in values.items()}
            for method, values in job.propagation_by_distance.items()
        },
        wall_seconds=round(wall_seconds, 1))


def run_controls(propagation_scores: Mapping[str, float]
                 ) -> Dict[str, Dict[str, float]]:
    """``self_propagation`` / ``shuffled_frames`` -> method -> mAP."""
    p = propagation_scores
    return {
        control: {m: p[f'{key}/{m}'] for m in ('posewarper', 'optical_flow')}
        for control, key in (('self_propagation', 'self'),
                             ('shuffled_frames', 'shuffled'))
    }


def propagation_strip(job: Any) -> str:
    """Picture strip of the first val video: its first labeled frame with
    people and the K frames after it, as each method of ``STRIP_METHODS``
    propagated it (the files the propagation comparison wrote)."""
    name = sorted(job.sparse['val'])[0]
    sparse = job.sparse['val'][name]
    labeled = [frame_number(img) for img in sparse['images']
               if img.get('is_labeled')]
    frames_with_people = {
        frame_number(img) for img in sparse['images']
        if any(a['image_id'] == img['id'] for a in sparse['annotations'])
    }
    s = next((t for t in labeled if t in frames_with_people), labeled[0])
    nframes = len(sparse['images'])
    frames = [t for t in range(s, s + job.s.propagate_k + 1) if t < nframes]
    src = [dict(a) for a in sparse['annotations']
           if frame_number(next(i for i in sparse['images']
                                if i['id'] == a['image_id'])) == s]
    preds = {}
    for method in STRIP_METHODS:
        file = job.s.path('propagation', method, f'{name}.json')
        video = (load_posetrack_video(file, keypoint_dtype=np.float64)
                 if osp.isfile(file) else dict(images=[], annotations=[]))
        frame_of = {img['id']: frame_number(img) for img in video['images']}
        frames_pred: Dict[int, List[dict]] = {}
        for ann in video['annotations']:
            frames_pred.setdefault(frame_of[ann['image_id']], []).append(ann)
        frames_pred[s] = src  # the labeled frame shows its labels
        preds[method] = frames_pred
    path = job.s.path('propagation_strip.jpg')
    scale = 2.0 if job.s.quick else 1.0
    picture_strip(job.gt['val'][name], preds, frames, job.data_root, path,
                  source_frame=s, scale=scale)
    return path


def write_run_report(job: Any, wall_seconds: float) -> Dict[str, Any]:
    """Write the run's results, controls, table, plot and strip; return
    the results."""
    results = run_results(job, wall_seconds)
    write_json_atomic(job.s.path('results.json'), results)
    controls = run_controls(job.propagation_scores)
    write_json_atomic(job.s.path('controls.json'),
                      dict(controls, timings=job.timings,
                           reused_stages=job.reused))
    table = markdown_table(results, controls, job.reused)
    write_text_atomic(job.s.path('results.md'), table)
    bar_plot(results, job.s.path('results.png'))
    propagation_strip(job)
    print_log('\n' + table, logger=LOGGER)
    return results
