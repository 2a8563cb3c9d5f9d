"""The sparse benchmark's log: its logger's name (``LOGGER``), a run's log
file (:func:`job_log`) and its steps' wall times (:func:`timed`)."""
import logging
import os
import os.path as osp
import time
from contextlib import contextmanager
from typing import Dict, Iterator

from mmengine.logging import MMLogger, print_log
from mmengine.logging.logger import MMFormatter

LOGGER = 'sparse_benchmark'


@contextmanager
def timed(step: str, timings: Dict[str, float]) -> Iterator[None]:
    """Log a step's start and end and record its wall time."""
    print_log(f'---- {step} ----', logger=LOGGER)
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 1)
    print_log(f'{step}: {timings[step]:.1f} s', logger=LOGGER)


@contextmanager
def job_log(path: str) -> Iterator[None]:
    """Log the job's messages (logger ``sparse_benchmark``) to ``path`` too.

    A handler per run: MMLogger keeps the first ``log_file`` of a name, and
    :func:`~.seeds.run_seeds` runs the job several times in one process.
    """
    os.makedirs(osp.dirname(path), exist_ok=True)
    logger = MMLogger.get_instance(LOGGER, log_level='INFO')
    log_file = logging.FileHandler(path, 'w', encoding='utf-8')
    log_file.setFormatter(MMFormatter(color=False,
                                      datefmt='%Y/%m/%d %H:%M:%S'))
    logger.addHandler(log_file)
    try:
        yield
    finally:
        logger.removeHandler(log_file)
        log_file.close()
