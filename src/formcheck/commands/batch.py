"""Many inputs at once: one process per core, each with its own pose model; a failed file
is reported and the others go on."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError, InputError

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


def _one(args: tuple) -> BatchItem:
    import time

    from formcheck.analysis import load_exercise, prescribed_exercise
    from formcheck.commands.analyze import analyze_input

    source, exercise_ref, out_dir, side, model, video, history, patient, prescribed = args
    t0 = time.perf_counter()
    try:
        exercise = prescribed_exercise(load_exercise(exercise_ref), prescribed)
        analysis = analyze_input(source, exercise, out_dir, side, model, video, history,
                                 patient=patient, prescribed=prescribed)
    except (FormcheckError, OSError) as exc:
        return BatchItem(source, False, out_dir, error=str(exc),
                         seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        return BatchItem(source, False, out_dir, seconds=time.perf_counter() - t0,
                         error=f"unexpected {type(exc).__name__}: {exc} (please report it)")
    doc = analysis.document
    return BatchItem(source, True, out_dir, doc["summary"]["reps_done"], len(doc["faults"]),
                     doc["provenance"]["frames"], time.perf_counter() - t0)


def run_batch(sources: list[Path], exercise_ref: str, out_root: Path, side: str | None,
              model: str | None, video: str | None, history: Path | None,
              workers: int | None = None,
              progress: Callable[[int, int, BatchItem], None] | None = None,
              patient: str | None = None, prescribed=None) -> Iterator[BatchItem]:
    """Analyse many inputs in worker processes; ``patient`` and its ``prescribed`` dose
    (an analysis.Prescribed) apply to every input."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(sources)))
    jobs = [(s, exercise_ref, out_root / name, side, model, video, history, patient, prescribed)
            for s, name in zip(sources, output_names(sources), strict=True)]
    done = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_one, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                item = future.result()
            except BrokenProcessPool as exc:  # a worker killed (out of memory, signal)
                source, out_dir = futures[future][0], futures[future][2]
                item = BatchItem(source, False, out_dir, error=f"its worker process died "
                                 f"({exc}); analyse it alone to see why")
            done += 1
            if progress:
                progress(done, len(jobs), item)
            yield item
