"""PoseTrackAPMetric (MMEngine metric) and tools/eval_posetrack.py."""
import importlib.util
import json

import numpy as np
import pytest

from mmpose_posewarper.datasets.box_files import load_posetrack_detections
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_dir,
                                                     load_posetrack_video)
from mmpose_posewarper.evaluation.functional.posetrack_ap import \
    evaluate_posetrack_dirs

from _helpers.posetrack_builders import (DET_FILE, GT_DIR, REPO_ROOT, person,
                                         pose, require_sample_data, video,
                                         write_dirs, write_gt_as_predictions)

KEYS = ['Head AP', 'Shou AP', 'Elb AP', 'Wri AP', 'Hip AP', 'Knee AP',
        'Ankl AP', 'AP']


def build_metric(**kwargs):
    from mmpose.registry import METRICS

    import mmpose_posewarper.evaluation  # noqa: F401  (registers)
    cfg = dict(type='PoseTrackAPMetric', ann_dir=str(GT_DIR))
    cfg.update(kwargs)
    return METRICS.build(cfg)


def sample(ann, img, idx, kpts=None, kpt_scores=None, bbox_score=1.0,
           as_list=True):
    """A data sample as the model returns it for one top-down instance."""
    kp = np.asarray(ann['keypoints'], np.float32) if kpts is None else kpts
    scores = kp[:, 2].copy() if kpt_scores is None else kpt_scores
    path = f'data/posetrack18/{img["file_name"]}'
    return dict(
        id=idx,
        img_id=img['id'],
        img_path=[path, path.replace('000000', '000001')] if as_list else path,
        pred_instances=dict(
            keypoints=kp[None, :, :2],
            keypoint_scores=np.asarray(scores, np.float32)[None],
            bbox_scores=np.array([bbox_score], np.float32)),
        gt_instances=dict())


def gt_samples():
    videos = load_posetrack_dir(str(GT_DIR))
    out = []
    for v in videos.values():
        img = v['images'][0]
        for ann in v['annotations']:
            out.append(sample(ann, img, len(out), as_list=len(out) % 2 == 0))
    return out


def test_registered_under_its_own_name():
    require_sample_data()
    from mmpose.registry import METRICS
    metric = build_metric()
    assert type(metric).__name__ == 'PoseTrackAPMetric'
    assert METRICS.get('PoseTrack18Metric') is not type(metric)


def test_gt_as_predictions_is_100_and_written_files_agree(tmp_path):
    require_sample_data()
    out = tmp_path / 'preds'
    metric = build_metric(outfile_prefix=str(out))
    metric.process([], gt_samples())
    result = metric.compute_metrics(metric.results)
    assert [result[k] for k in KEYS] == [100.0] * 8
    assert result['AP recall'] == 100.0
    # one prediction file per GT video, evaluated from disk: same numbers
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in GT_DIR.glob('*.json'))
    from_disk = evaluate_posetrack_dirs(str(GT_DIR), str(out))
    assert from_disk['Total'] == 100.0
    pred = load_posetrack_video(str(out / '012834_mpii_test.json'))
    assert len(pred['annotations']) == 11


def test_prediction_files_are_one_set_and_never_the_ground_truth(tmp_path):
    import shutil

    from mmpose_posewarper.utils.output import OutputConflictError
    require_sample_data()
    gt = tmp_path / 'gt'
    shutil.copytree(GT_DIR, gt)
    before = {p.name: p.read_bytes() for p in gt.iterdir()}
    metric = build_metric(ann_dir=str(gt), outfile_prefix=str(gt))
    metric.process([], gt_samples())
    with pytest.raises(OutputConflictError, match='would overwrite or delete '
                       'the input'):
        metric.compute_metrics(metric.results)
    assert {p.name: p.read_bytes() for p in gt.iterdir()} == before
    # an earlier evaluation's files are replaced, other files kept, no
    # staging folder left
    out = tmp_path / 'preds'
    out.mkdir()
    (out / 'notes.txt').write_text('keep')
    for _ in range(2):
        metric = build_metric(outfile_prefix=str(out))
        metric.process([], gt_samples())
        assert metric.compute_metrics(metric.results)['AP'] == 100.0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ['notes.txt'] + list(before))


def test_detected_boxes_duplicates_and_nms(tmp_path):
    """Top-down on detections: several instances per person. A duplicate
    with a lower box score but higher keypoint scores is removed by OKS
    NMS (AP 100); without NMS it outranks the true positive."""
    require_sample_data()
    samples = gt_samples()
    dups = []
    for s in samples:
        kp = s['pred_instances']['keypoints'] + 1.0
        dups.append(
            dict(s, id=1000 + s['id'], pred_instances=dict(
                keypoints=kp,
                keypoint_scores=np.full((1, 17), 2.0, np.float32),
                bbox_scores=np.array([0.5], np.float32))))
    with_nms = build_metric(score_mode='bbox', nms_mode='oks_nms')
    with_nms.process([], samples + dups)
    assert with_nms.compute_metrics(with_nms.results)['AP'] == 100.0
    no_nms = build_metric(score_mode='bbox', nms_mode='none')
    no_nms.process([], samples + dups)
    assert no_nms.compute_metrics(no_nms.results)['AP'] < 100.0


def test_real_detection_boxes_run_end_to_end(tmp_path):
    """One prediction per real detection (278): the GT person whose box
    contains the detection centre, else a random pose in the box. The
    metric's AP equals evaluating its written files."""
    require_sample_data()
    videos = load_posetrack_dir(str(GT_DIR))
    images = {v['images'][0]['id']: v for v in videos.values()}
    rng = np.random.default_rng(0)
    samples = []
    for i, det in enumerate(load_posetrack_detections(str(DET_FILE))):
        v = images[det['image_id']]
        x, y, w, h = det['bbox']
        kp = np.zeros((17, 3), np.float32)
        kp[:, 0] = x + rng.random(17) * w
        kp[:, 1] = y + rng.random(17) * h
        for ann in v['annotations']:
            bx, by, bw, bh = ann['bbox']
            if bx <= x + w / 2 <= bx + bw and by <= y + h / 2 <= by + bh:
                kp = ann['keypoints'].copy()
                break
        samples.append(
            sample(dict(keypoints=kp), v['images'][0], i,
                   kpt_scores=np.full(17, det['score']),
                   bbox_score=det['score']))
    out = tmp_path / 'dets'
    metric = build_metric(outfile_prefix=str(out))
    metric.process([], samples)
    result = metric.compute_metrics(metric.results)
    assert 0 < result['AP'] <= 100
    from_disk = evaluate_posetrack_dirs(str(GT_DIR), str(out))
    assert from_disk['Total'] == result['AP']
    written = sum(
        len(load_posetrack_video(str(p))['annotations'])
        for p in out.glob('*.json'))
    assert 0 < written < len(samples)  # NMS removed overlapping poses


def test_joint_score_mode_and_format_only(tmp_path):
    require_sample_data()
    out = tmp_path / 'fmt'
    metric = build_metric(outfile_prefix=str(out), format_only=True,
                          joint_score_mode='instance', score_mode='bbox')
    samples = gt_samples()[:1]
    samples[0]['pred_instances']['bbox_scores'][:] = 0.25
    metric.process([], samples)
    assert metric.compute_metrics(metric.results) == {}
    (path, ) = [p for p in out.glob('*.json')
                if load_posetrack_video(str(p))['annotations']]
    ann = load_posetrack_video(str(path))['annotations'][0]
    np.testing.assert_array_equal(ann['scores'], 0.25)


def test_prediction_found_by_path_and_stray_frames_rejected():
    require_sample_data()
    samples = gt_samples()
    for s in samples:
        s['img_id'] = None  # found through img_path[0] / img_path
    metric = build_metric()
    metric.process([], samples)
    assert metric.compute_metrics(metric.results)['AP'] == 100.0
    stray = gt_samples()[:1]
    stray[0]['img_id'] = 123
    stray[0]['img_path'] = 'images/val/999999_mpii_test/000000.jpg'
    metric = build_metric()
    metric.process([], stray)
    with pytest.raises(ValueError, match='123.*in no video of ann_dir'):
        metric.compute_metrics(metric.results)


def test_bad_configuration_is_reported(tmp_path):
    require_sample_data()
    with pytest.raises(NotADirectoryError, match='nowhere'):
        build_metric(ann_dir=str(tmp_path / 'nowhere'))
    with pytest.raises(ValueError, match='joint_score_mode'):
        build_metric(joint_score_mode='max')
    with pytest.raises(ValueError, match='outfile_prefix'):
        build_metric(format_only=True)
    metric = build_metric()
    bad = gt_samples()[:1]
    bad[0]['pred_instances']['keypoints'] = np.zeros((1, 15, 2))
    with pytest.raises(ValueError, match=r'\(N, 17, 2\)'):
        metric.process([], bad)


# ------------------------------------------------------------------- the CLI
def _cli():
    spec = importlib.util.spec_from_file_location(
        'eval_posetrack', REPO_ROOT / 'tools' / 'eval_posetrack.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cli_prints_table_and_json_last_line(tmp_path, capsys):
    gt = video([[person(pose())], []])
    pred = video([[person(pose(), 0, scores=[0.9] * 17),
                   person(pose(900, 900), 1, scores=[0.95] * 17)], []])
    gt_dir, pred_dir = write_dirs(tmp_path, {'000001_mpii_test': (gt, pred)})
    assert _cli().main([gt_dir, pred_dir]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4].startswith('& Head & Shou')
    assert lines[-3].startswith('& 50.0 & 50.0')
    summary = json.loads(lines[-1])
    assert list(summary) == ['Head', 'Shou', 'Elb', 'Wri', 'Hip', 'Knee',
                             'Ankl', 'Total']
    assert summary == {k: 50.0 for k in summary}


def test_cli_real_gt_against_itself(tmp_path, capsys):
    pred_dir = write_gt_as_predictions(tmp_path / 'pred')
    assert _cli().main([str(GT_DIR), str(pred_dir)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary.values()) == {100.0}


def test_cli_bad_dirs_and_files(tmp_path, capsys):
    cli = _cli()
    assert cli.main([str(tmp_path / 'missing'), str(tmp_path)]) == 2
    assert 'missing' in capsys.readouterr().err
    gt_dir, pred_dir = write_dirs(
        tmp_path, {'000001_mpii_test': (video([[person(pose())]]), {})})
    (tmp_path / 'pred' / '000001_mpii_test.json').write_text('{"images": [')
    assert cli.main([gt_dir, pred_dir]) == 2
    err = capsys.readouterr().err
    assert 'pred/000001_mpii_test.json: invalid JSON at line 1' in err


def test_gt_box_predictions_metric_vs_written_files(tmp_path):
    """Why the main job (``PoseTrackAPMetric``) and
    ``tools/analysis_tools/benchmark_online.py`` (``posetrack18_video`` files
    scored with ``evaluate_posetrack_dirs``) differ on the same predictions:
    the metric first runs OKS NMS (``nms_mode='oks_nms'``, as MMPose's
    CocoMetric) and lists each frame's people by instance score; the files
    keep every ground-truth-box prediction in box order (the original
    PoseWarper's protocol). With ``nms_mode='none'`` both give the same AP
    to the bit.

    Two real, near-coincident people; the prediction from B's box collapses
    onto A with higher scores: only one can match. NMS removes the lower
    one (AP 50); without NMS the unmatched one outranks the match (AP 25).
    """
    from mmpose_posewarper.datasets.posetrack_io import write_posetrack_video
    from mmpose_posewarper.datasets.posetrack_predictions import \
        posetrack18_video
    name = '000001_mpii_test'
    gt = video([[person(pose(200, 200), 0), person(pose(205, 200), 1)]],
               name)
    gt_dir, pred_dir = write_dirs(tmp_path, {name: (gt, {})})
    img = gt['images'][0]
    preds = [(pose(200, 200)[:, :2], 0.6), (pose(201, 200)[:, :2], 0.9)]
    samples = [
        dict(id=i, img_id=img['id'], img_path=img['file_name'],
             pred_instances=dict(keypoints=kp[None],
                                 keypoint_scores=np.full((1, 17), s),
                                 bbox_scores=np.ones(1)))
        for i, (kp, s) in enumerate(preds)
    ]
    people = [dict(keypoints=kp, keypoint_scores=np.full(17, s),
                   bbox=np.array([150., 150., 350., 400.]), bbox_score=1.0,
                   track_id=i) for i, (kp, s) in enumerate(preds)]
    write_posetrack_video(f'{pred_dir}/{name}.json',
                          posetrack18_video(name, [people]))
    from_files = evaluate_posetrack_dirs(gt_dir, pred_dir)['Total']

    scores = {}
    for mode in ('none', 'oks_nms'):
        metric = build_metric(ann_dir=gt_dir, nms_mode=mode,
                              outfile_prefix=str(tmp_path / mode))
        metric.process([], samples)
        scores[mode] = metric.compute_metrics(metric.results)['AP']
        # the metric's number is always that of the files it writes
        assert evaluate_posetrack_dirs(gt_dir, str(tmp_path / mode))[
            'Total'] == scores[mode]
    assert from_files == scores['none'] == pytest.approx(25.0)
    assert scores['oks_nms'] == pytest.approx(50.0)
