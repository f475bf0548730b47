"""Running a batch on Dask distributed (the optional ``cluster`` extra): a scheduler at
``tcp://HOST:PORT`` with workers on other machines, or ``local[:N]``, N worker processes on
this one.  Only this module imports Dask, and only when a batch asks for a cluster.

Each task analyses one input in a worker process and writes its files where the client
said (a folder every machine sees under the same path); the pose model is found and loaded
in the worker, never sent.  If a worker dies mid-file, the scheduler gives the file to
another worker; the client records each file once, when its result arrives."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

from formcheck.errors import BatchError

_LOCAL = re.compile(r"local(?::(\d+))?$")
#: How long the client waits for a scheduler to answer (s).
CONNECT_TIMEOUT_S = 30


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise BatchError("--cluster needs Dask distributed: pip install "
                         "'formcheck[cluster]'") from exc
    return distributed


def cluster_client(spec: str, stack: ExitStack):
    """A Dask client for ``spec``; a ``local[:N]`` cluster listens on 127.0.0.1 only and
    starts no dashboard.  Closed with ``stack``."""
    distributed = _distributed()
    verbose = logging.getLogger().isEnabledFor(logging.INFO)  # formcheck -v
    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.ERROR)
    local = _LOCAL.match(spec)
    try:
        if local:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=int(local.group(1) or 0) or None, threads_per_worker=1,
                processes=True, host="127.0.0.1", dashboard_address=None))
            return stack.enter_context(distributed.Client(cluster))
        if not spec.startswith(("tcp://", "tls://")):
            raise BatchError(f"--cluster {spec!r}: give a scheduler address tcp://HOST:PORT "
                             "or local[:N]")
        return stack.enter_context(distributed.Client(spec, timeout=CONNECT_TIMEOUT_S))
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {spec} ({exc}); start it with "
                         "'dask scheduler' and check the address") from exc


def run_on_cluster(spec: str, jobs: list) -> Iterator:
    """Every job analysed on the cluster; BatchItems as they finish.  A task that fails
    outright (its workers died too often, an unexpected error) becomes a failed item with
    the reason."""
    from formcheck.commands.batch import BatchItem, analyze_job

    distributed = _distributed()
    with ExitStack() as stack:
        client = cluster_client(spec, stack)
        futures = {client.submit(analyze_job, job, pure=False,
                                 key=f"formcheck-{job.out_dir.name}-{uuid.uuid4().hex[:8]}"):
                   job for job in jobs}
        for future in distributed.as_completed(futures):
            job = futures.pop(future)
            if future.status == "finished":
                yield future.result()
            else:
                exc = future.exception()
                yield BatchItem(job.source, False, job.out_dir,
                                error=f"{type(exc).__name__}: {exc}")
            future.release()
