"""Classification's scoring on every core of this machine: the fitted model goes once to each of a
few worker processes, and every chunk of documents is split between them.

Scoring is pure Python and numpy per document (tokens, a sparse product, a reason), so one
process uses one core; a national year has millions of distinct documents. Workers are spawned,
not forked: the parent holds an open DuckDB connection and its threads. Each worker scores its
part with ``LineModel.predict``, so the result is the one a single process gives.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

from observatory.classify.features import Evidence
from observatory.classify.model import LineModel, Predictions

# Below this many documents a pool costs more than it saves (starting workers and sending them
# the model takes a few seconds); the real network's lines are scored in one process.
PARALLEL_FROM = 100_000

_model: LineModel | None = None


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends. A scoring worker whose parent was killed (by the
    out-of-memory killer, or ``kill -9``) would otherwise score its whole chunk for nobody, holding
    its memory; on Linux the kernel ends it with its parent."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent was gone before the kernel was told
        os._exit(1)


def _receive(blob: bytes, parent: int) -> None:
    global _model
    die_with_parent(parent)
    _model = pickle.loads(blob)


def _predict(evidence: Sequence[Evidence]) -> Predictions:
    if _model is None:
        raise RuntimeError("a scoring worker was started without its model")
    return _model.predict(evidence)


@contextmanager
def process_predictor(
    model: LineModel, workers: int
) -> Iterator[Callable[[Sequence[Evidence]], Predictions]]:
    """``model.predict`` spread over ``workers`` processes, for as long as the block runs."""
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_receive, initargs=(blob, os.getpid())
    ) as pool:
        del blob

        def predict(evidence: Sequence[Evidence]) -> Predictions:
            size = max(1, -(-len(evidence) // workers))
            parts = [evidence[i : i + size] for i in range(0, len(evidence), size)]
            return Predictions.join(list(pool.map(_predict, parts)))

        yield predict
