"""What the benchmark shows a person: a Markdown table, a bar plot and a
picture strip of one propagated sequence (ground truth vs each method)."""
import operator
import os.path as osp
import shutil
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple)

import cv2
import numpy as np

from mmpose_posewarper.apis.video_io import read_frame
from mmpose_posewarper.datasets.posetrack_videos import frame_number
from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)
from mmpose_posewarper.utils.json_file import (NO_OTHER_KEYS, json_field,
                                               read_json)

from ..synthetic import contact_sheet

#: rows of the table: (section, key, description), in results.json order
ROWS = (
    ('propagation', 'posewarper',
     'PoseWarper: warp the labeled frame\'s GT heatmaps'),
    ('propagation', 'optical_flow', 'optical flow (OpenCV DIS) of the GT pose'),
    ('propagation', 'copy_nearest', 'copy the nearest labeled pose'),
    ('propagation', 'single_frame',
     'single-frame estimator on the unlabeled frame'),
    ('propagation', 'interpolation',
     'linear interpolation between the labeled frames before and after '
     '(an annotation tool\'s keyframe interpolation)'),
    ('propagation', 'two_sided_posewarper',
     'two-sided PoseWarper: GT heatmaps of both labeled neighbours warped '
     'and fused'),
    ('propagation', 'two_sided_optical_flow',
     'two-sided optical flow: GT poses of both labeled neighbours moved and '
     'fused'),
    ('augmentation', 'sparse_only',
     'single-frame model, 1 labeled frame per train video'),
    ('augmentation', 'sparse_plus_propagated',
     'the same + PoseWarper\'s labels within ±3 (score > 0.2)'),
    ('augmentation', 'sparse_plus_optical_flow',
     'the same + optical flow\'s labels within ±3'),
    ('augmentation', 'sparse_plus_two_sided',
     'the same + two-sided PoseWarper\'s labels within ±3'),
    ('augmentation', 'sparse_plus_ground_truth',
     'the same + the true poses of the people PoseWarper labeled (the '
     'bound)'),
    ('aggregation', 'single_frame', 'single-frame model'),
    ('aggregation', 'temporal', 'PoseWarper temporal aggregation (5 frames)'),
    ('domain_gap', 'pretrained_stills_look',
     'pretrained model, the val videos imaged and dressed as the '
     'pretraining stills'),
    ('domain_gap', 'pretrained',
     'pretrained model, the val videos (video look, suits), not '
     'fine-tuned'),
)
SECTION_TITLES = dict(
    propagation='propagation to unlabeled frames within ±3 (val videos)',
    augmentation='training labels (held-out val videos, every frame)',
    aggregation='inference (val videos, every frame)',
    domain_gap='domain gap (val videos, every frame)')
#: the methods of the picture strip, in row order after the ground truth
STRIP_METHODS = ('posewarper', 'optical_flow', 'copy_nearest', 'single_frame')


CONTROL_TITLES = dict(
    self_propagation='labeled frame to itself (offset 0); ~100 if correct',
    shuffled_frames='unlabeled frame replaced by another video\'s; must drop')


def markdown_table(results: Mapping[str, Any],
                   controls: Optional[Mapping[str, Mapping[str, float]]] = None,
                   reused: Sequence[str] = ()) -> str:
    """The results as a Markdown table (PoseTrack Total AP, percent), and
    the sanity controls (control -> method -> mAP) as a second one;
    ``reused``: the stages and steps the run took from an earlier run in
    its folder (its wall time did not make them)."""
    lines = ['| comparison | method | mAP (Total AP, %) |', '|---|---|---:|']
    for section, key, text in ROWS:
        if key not in results.get(section, {}):
            continue  # a run made before the method was added, or not
            # asked for
        lines.append(f'| {SECTION_TITLES[section]} | {text} '
                     f'(`{section}.{key}`) | {results[section][key]:.1f} |')
    if controls:
        methods = sorted({m for values in controls.values() for m in values})
        lines += ['', '| control (sanity check) | ' + ' | '.join(methods) +
                  ' |', '|---|' + '---:|' * len(methods)]
        for control, values in controls.items():
            cells = ' | '.join(f'{values[m]:.1f}' for m in methods)
            lines.append(
                f'| {CONTROL_TITLES.get(control, control)} | {cells} |')
    by_distance = results.get('propagation_by_distance')
    if by_distance:
        distances = sorted({int(d) for v in by_distance.values() for d in v})
        lines += ['', '| propagation, by distance to the labeled frame | ' +
                  ' | '.join(f'±{d}' for d in distances) + ' |',
                  '|---|' + '---:|' * len(distances)]
        for method, values in by_distance.items():
            cells = ' | '.join(f'{values[str(d)]:.1f}' if str(d) in values
                               else '-' for d in distances)
            lines.append(f'| `{method}` | {cells} |')
    lines.append('')
    lines.append(f'Wall time: {results["wall_seconds"]:.0f} s' + (
        f' (the finished steps {", ".join(reused)} reused from an earlier '
        'run in the same folder).' if reused else '.'))
    return '\n'.join(lines) + '\n'


def bar_plot(results: Mapping[str, Any], path: str) -> None:
    """One panel per comparison, one bar per method, written to ``path``."""
    import matplotlib
    matplotlib.use('Agg')  # files only, no display
    import matplotlib.pyplot as plt

    sections = ('propagation', 'augmentation', 'aggregation')
    fig, axes = plt.subplots(
        1, 3, figsize=(13, 4), gridspec_kw=dict(width_ratios=(4, 2, 2)))
    for ax, section in zip(axes, sections):
        keys = list(results[section])
        values = [results[section][k] for k in keys]
        bars = ax.bar(range(len(keys)), values,
                      color=['tab:red' if k in ('posewarper', 'temporal',
                                                'sparse_plus_propagated')
                             else 'tab:gray' for k in keys])
        for bar, value in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, value + 1,
                    f'{value:.1f}', ha='center', va='bottom', fontsize=9)
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels([k.replace('_', '\n') for k in keys], fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_title(section, fontsize=10)
        ax.set_ylabel('PoseTrack mAP (%)')
    fig.suptitle('Sparse-label benchmark (synthetic videos, labels every '
                 '7th frame)', fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def picture_strip(gt_video: Mapping[str, Any],
                  predictions: Mapping[str, Mapping[int, Sequence[dict]]],
                  frames: Sequence[int],
                  img_root: str,
                  path: str,
                  source_frame: Optional[int] = None,
                  scale: float = 2.0) -> np.ndarray:
    """A grid: one row for the ground truth, then one per method; one column
    per frame of ``frames``; written to ``path`` and returned.

    Args:
        gt_video (Mapping): Dense ground truth of the video.
        predictions (Mapping): Method name -> frame -> predicted people of
            that video (frames without predictions are drawn bare).
        frames (Sequence[int]): Frame numbers to show.
        img_root (str): Root of the images' ``file_name`` s.
        path (str): Output image file.
        source_frame (int, optional): The labeled frame, marked in titles.
        scale (float): Upscaling of each frame.
    """
    files = {frame_number(img): img['file_name'] for img in gt_video['images']}
    frame_of = {img['id']: frame_number(img) for img in gt_video['images']}
    gt_people: Dict[int, List[dict]] = {t: [] for t in files}
    for ann in gt_video['annotations']:
        gt_people[frame_of[ann['image_id']]].append(ann)
    images = [read_frame(osp.join(img_root, files[t])) for t in frames]
    rows_images, rows_people, titles = [], [], []
    for row in ('ground truth', ) + tuple(predictions):
        for t, img in zip(frames, images):
            rows_images.append(img)
            if row == 'ground truth':
                rows_people.append(gt_people[t])
            else:
                rows_people.append(list(predictions[row].get(t, [])))
            mark = ' (labeled)' if t == source_frame else ''
            titles.append(f'{row} t={t}{mark}')
    sheet = contact_sheet(rows_images, rows_people, columns=len(frames),
                          scale=scale, titles=titles, boxes=False)
    cv2.imwrite(path, sheet)
    return sheet


#: the goals for the default command, as margins of one number over
#: another: (name, minuend, subtrahend, comparison, the margin asked for);
#: a tuple of subtrahends stands for their mean (half way between them)
GOALS = (
    ('two-sided PoseWarper - interpolation (propagation)',
     'propagation.two_sided_posewarper', 'propagation.interpolation', '≥',
     5.0),
    ('two-sided PoseWarper - two-sided flow (propagation)',
     'propagation.two_sided_posewarper', 'propagation.two_sided_optical_flow',
     '≥', 2.0),
    ('PoseWarper - optical flow (propagation)', 'propagation.posewarper',
     'propagation.optical_flow', '≥', 5.0),
    ('PoseWarper - copy nearest (propagation)', 'propagation.posewarper',
     'propagation.copy_nearest', '>', 0.0),
    ('PoseWarper - single frame (propagation)', 'propagation.posewarper',
     'propagation.single_frame', '>', 0.0),
    ('sparse + propagated - sparse only (augmentation)',
     'augmentation.sparse_plus_propagated', 'augmentation.sparse_only', '>',
     0.0),
    ('sparse + ground truth - sparse only (the augmentation bound)',
     'augmentation.sparse_plus_ground_truth', 'augmentation.sparse_only',
     '≥', 3.0),
    ('sparse + propagated - half way to the bound (augmentation)',
     'augmentation.sparse_plus_propagated',
     ('augmentation.sparse_only', 'augmentation.sparse_plus_ground_truth'),
     '≥', 0.0),
    ('fine-tuned - pretrained, val videos (domain gap)',
     'aggregation.single_frame', 'domain_gap.pretrained', '>', 0.0),
    ('temporal - single frame (aggregation)', 'aggregation.temporal',
     'aggregation.single_frame', '>', 0.0),
)
_COMPARE = {'≥': operator.ge, '>': operator.gt}


def goal_margins(numbers: Mapping[str, float]) -> Dict[str, float]:
    """Each goal's margin (minuend - subtrahend, mAP) from a run's flattened
    numbers; a goal is met where its margin compares to the one asked for
    as :data:`GOALS` says.
    Paired within a run, so the seeds' spread of a margin is not inflated by
    how hard one seed's videos are for every method."""
    margins = {}
    for name, a, b, _, _ in GOALS:
        subtrahends = (b, ) if isinstance(b, str) else b
        if a in numbers and all(k in numbers for k in subtrahends):
            margins[name] = round(numbers[a] - float(
                np.mean([numbers[k] for k in subtrahends])), 2)
    return margins


def flat_numbers(results: Mapping[str, Any],
                 prefix: str = '') -> Dict[str, float]:
    """The numbers of a results dict, flattened to ``section.key`` names."""
    out = {}
    for key, value in results.items():
        if isinstance(value, Mapping):
            out.update(flat_numbers(value, f'{prefix}{key}.'))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f'{prefix}{key}'] = float(value)
    return out


def seeds_table(seeds_results: Mapping[str, Any]) -> str:
    """Markdown tables of a several-seed summary (``seeds.json``): every
    number per seed with its mean ± sample std, then each goal's margin
    and in how many seeds it is met."""
    seeds = [str(s) for s in seeds_results['seeds']]
    numbers, summary = seeds_results['numbers'], seeds_results['summary']
    head = ' | '.join(f'seed {s}' for s in seeds)

    def row(name: str, label: str, extra: str = '') -> str:
        values = ' | '.join(f'{numbers[s][name]:.1f}' for s in seeds)
        stats = summary[name]
        return (f'| {label} | {values} | {stats["mean"]:.1f} ± '
                f'{stats["std"]:.1f} |{extra}')

    lines = [f'| number | {head} | mean ± std |',
             '|---|' + '---:|' * (len(seeds) + 1)]
    lines += [row(name, f'`{name}`') for name in summary
              if name != 'wall_seconds' and not name.startswith('goal.')]
    lines += ['', f'| goal: margin (mAP) | asks | {head} | mean ± std | '
              'met in |', '|---|---:|' + '---:|' * (len(seeds) + 2)]
    for name, _, _, compare, asks in GOALS:
        key = f'goal.{name}'
        if key in summary:
            met = sum(_COMPARE[compare](numbers[s][key], asks)
                      for s in seeds)
            lines.append(row(key, f'{name} | {compare} {asks:g}',
                             f' {met} of {len(seeds)} |'))
    return '\n'.join(lines) + '\n'


#: the files of a run that :func:`publish_results` copies
PUBLISHED_FILES = ('results.json', 'controls.json', 'settings.json',
                   'results.md', 'results.png', 'propagation_strip.jpg')
#: README markers around the generated results table
README_BEGIN = '<!-- sparse-benchmark-results: begin (tools/publish_results.py) -->'
README_END = '<!-- sparse-benchmark-results: end -->'
#: README markers around the several-seed tables
SEEDS_BEGIN = '<!-- sparse-benchmark-seeds: begin (tools/publish_results.py --seeds) -->'
SEEDS_END = '<!-- sparse-benchmark-seeds: end -->'
SEEDS_FILES = ('seeds.json', 'seeds.md')


#: what a run's results.json holds (``read_json``'s schema): mAP per
#: method of each section, per distance of the propagation, the wall time;
#: no other key (a misspelled section would be left out of the table)
RESULTS_SCHEMA = {
    **{f'{section}?': {str: float} for section in SECTION_TITLES},
    'propagation_by_distance?': {str: {str: float}},
    'wall_seconds': float,
    str: NO_OTHER_KEYS,
}
#: what a run's controls.json holds: mAP per method of each control, the
#: step timings, the reused stages; no other key (it would become a row)
CONTROLS_SCHEMA = {'self_propagation?': {str: float},
                   'shuffled_frames?': {str: float},
                   'timings?': {str: float}, 'reused_stages?': [str],
                   str: NO_OTHER_KEYS}
#: what a several-seed summary (seeds.json) holds
SEEDS_SCHEMA = {
    'seeds': [int],
    'summary': {str: {'mean': float, 'std': float}},
    'numbers': {str: {str: float}},
}


def results_block(results_dir: str) -> str:
    """The README block of a published run: its ``results.md`` table, which
    :func:`markdown_table` made from its ``results.json``."""
    results = read_json(osp.join(results_dir, 'results.json'), expect=dict,
                        schema=RESULTS_SCHEMA)
    controls = read_json(osp.join(results_dir, 'controls.json'), expect=dict,
                         schema=CONTROLS_SCHEMA)
    controls.pop('timings', None)
    reused = controls.pop('reused_stages', ())
    return markdown_table(results, controls, reused)


def replace_readme_block(readme: str, block: str,
                         markers: Tuple[str, str] = (README_BEGIN,
                                                     README_END),
                         path: Optional[str] = None) -> str:
    """``readme`` with the text between the ``markers`` (by default the
    results table's) replaced; ``path`` (the file ``readme`` was read from)
    names it in the error."""
    begin_mark, end_mark = markers
    begin, end = readme.find(begin_mark), readme.find(end_mark)
    if begin < 0 or end < begin:
        raise ValueError(f'{path or "README"}: has no "{begin_mark}" ... '
                         f'"{end_mark}" block')
    return (readme[:begin + len(begin_mark)] + '\n\n' + block + '\n' +
            readme[end:])


def _rewritten_doc(doc: str, block: str, markers: Tuple[str, str]) -> str:
    """The text of ``doc`` with its block replaced (read and checked before
    anything is written)."""
    try:
        with open(doc, encoding='utf-8') as f:
            text = f.read()
    except OSError as e:
        raise OSError(e.errno, f'{doc}: cannot be read: {e.strerror}') \
            from None
    except UnicodeDecodeError:
        raise ValueError(f'{doc}: not UTF-8 text') from None
    return replace_readme_block(text, block, markers, path=doc)


def _publish(dest: str, copies: Mapping[str, str], texts: Mapping[str, str],
             jsons: Mapping[str, Any], doc: Optional[str],
             doc_text: Optional[str], inputs: Sequence[str]) -> List[str]:
    """Write the published files into ``dest`` as one output set
    (``utils.output.OutputSet``: the files of an earlier publication are
    replaced, other files of ``dest`` kept; ``dest`` must not be or lie
    inside an input), then ``doc``'s rewritten text. Everything was read and
    checked by the caller before."""
    from mmpose_posewarper.utils.output import OutputSet
    names = [*copies, *texts, *jsons]
    output = OutputSet(dest, names=names, overwrite=True, inputs=inputs,
                       option='--to')
    with output:
        for name, src in copies.items():
            shutil.copyfile(src, output.path(name))
        for name, text in texts.items():
            write_text_atomic(output.path(name), text)
        for name, content in jsons.items():
            write_json_atomic(output.path(name), content)
    if doc_text is not None:
        write_text_atomic(doc, doc_text)
    return [osp.join(dest, name) for name in names]


def copy_and_rewrite(run_dir: str, dest: str, files: Sequence[str],
                     readme: Optional[str], block: Callable[[str], str],
                     markers: Tuple[str, str], what: str,
                     generated: Optional[Mapping[str, Callable[[str],
                                                               str]]] = None
                     ) -> List[str]:
    """Copy ``files`` of ``run_dir`` (a finished ``what``) into ``dest``
    and, with ``readme``, rewrite that file's block between ``markers``
    with ``block(run_dir)``; ``generated``: files made from the run instead
    of copied (name -> ``make(run_dir)``). Everything is read and checked
    first (every file there, every JSON file parsed, the block made, the
    document's markers found); then the files are written as one set and
    the document rewritten. Returns the files written."""
    missing = [n for n in files if not osp.isfile(osp.join(run_dir, n))]
    if missing:
        raise FileNotFoundError(f'{run_dir}: not a finished {what}, missing '
                                f'{", ".join(missing)}')
    for name in files:
        if name.endswith('.json'):
            read_json(osp.join(run_dir, name))
    text = block(run_dir)
    doc_text = None if readme is None else _rewritten_doc(
        readme, text, markers)
    made = {name: make(run_dir) for name, make in (generated or {}).items()}
    copies = {name: osp.join(run_dir, name) for name in files
              if name not in made}
    return _publish(dest, copies, made, {}, readme, doc_text, [run_dir])


def write_collected(dest: str, files: Mapping[str, Any], doc: Optional[str],
                    block: str, markers: Tuple[str, str],
                    copies: Optional[Mapping[str, str]] = None,
                    inputs: Sequence[str] = ()) -> List[str]:
    """Write the JSON ``files`` (name -> content) collected from several
    runs, and ``copies`` (name -> a run's file), into ``dest`` as one set
    and, with ``doc``, replace that file's block between ``markers`` with
    ``block``; the doc's markers and the copied files are checked before
    anything is written; ``inputs``: the runs read (``dest`` must not be
    or lie inside one). Returns the files written."""
    copies = dict(copies or {})
    for name, src in copies.items():
        if not osp.isfile(src):
            raise FileNotFoundError(f'{src}: no such file (to publish as '
                                    f'{name})')
    doc_text = None if doc is None else _rewritten_doc(doc, block, markers)
    inputs = [*inputs, *sorted({osp.dirname(osp.abspath(src))
                                for src in copies.values()})]
    return _publish(dest, copies, {}, dict(files), doc, doc_text, inputs)


def seed_runs(seeds_dir: str, filename: str, command: str) -> Dict[str, str]:
    """Seed -> run folder: each ``seeds_dir/seed_<s>`` (of a several-seed
    run) that holds ``filename``, or ``seeds_dir`` itself as the seed of
    its run; ``FileNotFoundError`` naming ``command`` if none does."""
    import glob
    runs = {osp.basename(d)[len('seed_'):]: d
            for d in glob.glob(osp.join(seeds_dir, 'seed_*'))
            if osp.isfile(osp.join(d, filename))}
    if not runs and osp.isfile(osp.join(seeds_dir, filename)):
        path = osp.join(seeds_dir, 'settings.json')
        runs = {str(json_field(read_json(path, expect=dict), 'seed', int,
                               path=path)): seeds_dir}
    if not runs:
        raise FileNotFoundError(f'{seeds_dir}: no {filename} (run {command})')
    return dict(sorted(runs.items(), key=lambda kv: int(kv[0])))


def publish_results(run_dir: str, dest: str,
                    readme: Optional[str] = None) -> List[str]:
    """Copy a finished run's results into ``dest`` (e.g. ``docs/results``)
    and, with ``readme``, rewrite that file's results block from them.

    Returns:
        list: The copied files.
    """
    # results.md: the table as the current code makes it from the numbers
    return copy_and_rewrite(run_dir, dest, PUBLISHED_FILES, readme,
                            results_block, (README_BEGIN, README_END), 'run',
                            generated={'results.md': results_block})


def seeds_block(results_dir: str) -> str:
    """The README block of published seeds: :func:`seeds_table` of their
    ``seeds.json``."""
    return seeds_table(read_json(osp.join(results_dir, 'seeds.json'),
                                 expect=dict, schema=SEEDS_SCHEMA))


def publish_seeds(seeds_dir: str, dest: str,
                  readme: Optional[str] = None) -> List[str]:
    """Copy a finished several-seed run's summary (``seeds.json``,
    ``seeds.md``) into ``dest`` and, with ``readme``, rewrite that file's
    seeds block from it.

    Returns:
        list: The copied files.
    """
    return copy_and_rewrite(seeds_dir, dest, SEEDS_FILES, readme,
                            seeds_block, (SEEDS_BEGIN, SEEDS_END),
                            'several-seed run')
