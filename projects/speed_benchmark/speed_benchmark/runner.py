"""The parent process: one child process per method, then the table and
the JSON line."""
import argparse
import json
import os
import subprocess
import sys
from typing import Dict, List, Optional

from .measurements import child
from .report import nan_to_none, print_table, summarize
from .settings import ROOT, parse_args


def run_children(args: argparse.Namespace, argv: List[str]) -> Dict[str, dict]:
    results = {}
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    for method in args.methods:
        cmd = [
            sys.executable, '-m', 'projects.speed_benchmark.speed_benchmark',
            *argv, '--method', method
        ]
        print(f'[benchmark] {method} ...', file=sys.stderr, flush=True)
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'benchmark step {method!r} failed with exit '
                               f'code {proc.returncode}')
        results[method] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.method:
        print(json.dumps(child(args)))
        return 0
    results = run_children(args, argv)
    summary = summarize(args, results)
    print_table(summary)
    # strict JSON: a step that was not run is null, not NaN
    print(json.dumps(nan_to_none(summary)))
    return 0
