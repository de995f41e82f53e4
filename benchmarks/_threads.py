"""One thread count for everything a benchmark runs."""

import contextlib
import os

import torch
from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def limited_threads():
    """Run torch and the BLAS on ``OMP_NUM_THREADS`` threads, or on one.

    The suite compares estimators, not thread pools: every side gets the same
    count, torch in this process (skgen's, CTGAN's and hand-written loops), the
    BLAS under numpy and scikit-learn, and subprocesses through the
    environment. One thread is the default because on a machine whose cores
    are busy with other work a second thread makes small fits 10-50 times
    slower (measured on the 2-core development machine).
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    threads = int(wanted) if wanted.isdigit() and int(wanted) > 0 else 1
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        with threadpool_limits(limits=threads):
            yield threads
    finally:
        torch.set_num_threads(before)
        if wanted:
            os.environ["OMP_NUM_THREADS"] = wanted
        else:
            del os.environ["OMP_NUM_THREADS"]
