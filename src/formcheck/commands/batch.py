"""Many inputs at once: one process per core (or per Dask worker, see :mod:`.cluster`), each
with its own pose model; a failed file is reported and the others go on; a manifest in the
output folder lets a batch run again do only what is not done."""

from __future__ import annotations

import glob
import os
import platform
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.analysis import Exercise
from formcheck.commands.manifest import Entry, ItemKey, Manifest, options_text
from formcheck.errors import FormcheckError, InputError, ModelError

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm", ".jsonl"}


def expand_inputs(items: list[str]) -> list[Path]:
    """Files, folders (their videos and recordings) and glob patterns, in a stable order."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(item))
            if not matches:
                raise InputError(f"no file matches {item!r}")
            out += matches
        else:
            out.append(path)
    if not out:
        raise InputError(f"no videos or recordings found in {' '.join(items)}")
    return list(dict.fromkeys(out))


def output_names(sources: list[Path]) -> list[str]:
    """A folder name per input: its name without extensions, numbered where two collide
    (clip.mp4 and clip.landmarks.jsonl)."""
    names, seen = [], {}
    for source in sources:
        stem = source.name.split(".")[0]
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


@dataclass
class BatchItem:
    source: Path
    ok: bool
    out_dir: Path
    reps: int = 0
    faults: int = 0
    frames: int = 0
    seconds: float = 0.0
    error: str = ""
    worker: str = ""  # host:pid that analysed it
    earlier: bool = False  # finished in an earlier run of the batch, not analysed again
    document: dict | None = field(default=None, repr=False)  # results.json, for the history

    @property
    def status(self) -> str:
        return ("ok" if self.ok else "FAILED") + (" (earlier)" if self.earlier else "")


@dataclass(frozen=True)
class Job:
    """One input of a batch, as sent to a worker process (on this machine or a cluster)."""

    source: Path
    exercise: Exercise
    out_dir: Path
    side: str | None
    model: str | None
    video: str | None
    history: Path | None  # written by the worker (local pool); None: the client writes it
    model_sha256: str  # the model the client expects a video to be analysed with
    patient: str | None = None
    prescribed: object = None  # this patient's dose (analysis.Prescribed), or None


def analyze_job(job: Job) -> BatchItem:
    """Analyse one input in a worker; a bad input is a failed item, not an exception."""
    from formcheck.capture import is_recording, resolve_model
    from formcheck.commands.analyze import analyze_input

    worker = f"{platform.node()}:{os.getpid()}"
    t0 = time.perf_counter()
    try:
        if not is_recording(job.source) and resolve_model(job.model).sha256 != job.model_sha256:
            raise ModelError("this worker's pose model differs from the client's; install "
                             "the same formcheck on every worker, or pass --model PATH on "
                             "a shared folder")
        analysis = analyze_input(job.source, job.exercise, job.out_dir, job.side, job.model,
                                 job.video, job.history, patient=job.patient,
                                 prescribed=job.prescribed)
    except (FormcheckError, OSError) as exc:
        return BatchItem(job.source, False, job.out_dir, error=str(exc),
                         seconds=time.perf_counter() - t0, worker=worker)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        return BatchItem(job.source, False, job.out_dir, seconds=time.perf_counter() - t0,
                         worker=worker, error=f"unexpected {type(exc).__name__}: {exc} "
                         "(please report it)")
    doc = analysis.document
    return BatchItem(job.source, True, job.out_dir, doc["summary"]["reps_done"],
                     len(doc["faults"]), doc["provenance"]["frames"],
                     time.perf_counter() - t0, worker=worker, document=doc)


def run_batch(sources: list[Path], exercise_ref: str, out_root: Path, side: str | None,
              model: str | None, video: str | None, history: Path | None,
              workers: int | None = None,
              progress: Callable[[int, int, BatchItem], None] | None = None,
              cluster: str | None = None, retry_failed: bool = False,
              patient: str | None = None, prescribed=None) -> Iterator[BatchItem]:
    """Analyse every input, on a local process pool or on the Dask cluster ``cluster``
    (``tcp://HOST:PORT`` or ``local[:N]``).  Inputs done in an earlier run of the batch with
    the same exercise, model and options are not analysed again (nor those that failed,
    unless ``retry_failed``); they are yielded first, marked ``earlier``.  ``patient`` and
    its ``prescribed`` dose (an analysis.Prescribed) apply to every input."""
    from formcheck.analysis import load_exercise, prescribed_exercise

    exercise = prescribed_exercise(load_exercise(exercise_ref), prescribed)
    with Manifest(out_root) as manifest:
        planned = _plan(sources, exercise, out_root, side, model, video,
                        None if cluster else history, manifest, patient, prescribed)
        todo, done = [], 0
        for job, key in planned:
            entry = manifest.get(key)
            if _still_valid(entry, job, retry_failed):
                done += 1
                item = _earlier_item(job, entry)
                if progress:
                    progress(done, len(planned), item)
                yield item
            else:
                todo.append((job, key))
        keys = {job.out_dir: key for job, key in todo}
        for item in _execute([job for job, _ in todo], workers, cluster):
            _finish(item, keys[item.out_dir], manifest, history if cluster else None)
            done += 1
            if progress:
                progress(done, len(planned), item)
            yield item


def _plan(sources: list[Path], exercise: Exercise, out_root: Path, side: str | None,
          model: str | None, video: str | None, history: Path | None,
          manifest: Manifest, patient: str | None = None,
          prescribed=None) -> list[tuple[Job, ItemKey]]:
    from formcheck.capture import is_recording, resolve_model

    video_model = ""
    if any(not is_recording(s) for s in sources):
        video_model = resolve_model(model).sha256  # a bad --model stops the batch here
    options = options_text(side, video) + (f" patient={patient} dose={prescribed!r}"
                                           if patient or prescribed else "")
    planned = []
    for source, name in zip(sources, output_names(sources), strict=True):
        source = source.resolve()
        try:
            content = manifest.file_sha256(source)
        except OSError:
            content = ""  # missing or unreadable: the worker says what is wrong
        model_sha = _recording_model(source) if is_recording(source) else video_model
        job = Job(source, exercise, (out_root / name).resolve(), side, model, video, history,
                  video_model, patient, prescribed)
        planned.append((job, ItemKey(name, content, exercise.sha256, model_sha, options)))
    return planned


def _recording_model(path: Path) -> str:
    from formcheck.capture import RecordingReader

    try:
        return str((RecordingReader(path).header.get("model") or {}).get("sha256", ""))
    except FormcheckError:
        return ""


def _still_valid(entry: Entry | None, job: Job, retry_failed: bool) -> bool:
    if entry is None:
        return False
    if entry.status == "done":
        return (job.out_dir / "results.json").is_file()
    return not retry_failed


def _earlier_item(job: Job, entry: Entry) -> BatchItem:
    return BatchItem(job.source, entry.status == "done", job.out_dir, entry.reps or 0,
                     entry.faults or 0, entry.frames or 0, entry.seconds or 0.0, entry.error,
                     entry.worker, earlier=True)


def _execute(jobs: list[Job], workers: int | None, cluster: str | None
             ) -> Iterator[BatchItem]:
    if not jobs:
        return
    if cluster:
        from formcheck.commands.cluster import run_on_cluster  # Dask only when asked for

        yield from run_on_cluster(cluster, jobs)
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(analyze_job, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool as exc:  # a worker killed (out of memory, signal)
                job = futures[future]
                yield BatchItem(job.source, False, job.out_dir, error=f"its worker process "
                                f"died ({exc}); analyse it alone to see why")


def _finish(item: BatchItem, key: ItemKey, manifest: Manifest, history: Path | None) -> None:
    """The client's part for a finished item: the history (cluster batches: only the client
    writes it), then the manifest."""
    if history is not None and item.ok and item.document is not None:
        from formcheck.outputs import History

        with History(history) as db:
            db.add(item.document, "analyze", str(item.out_dir / "results.json"),
                   str(item.out_dir / "report.html"))
    manifest.record(key, item.source, Entry("done" if item.ok else "failed", item.error,
                                            item.reps, item.faults, item.frames,
                                            item.seconds, item.worker))
