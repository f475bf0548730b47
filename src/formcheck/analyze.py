"""Analysing one input (video, recording or camera) for an exercise, writing its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.engine import Engine, FrameResult, SessionResult
from formcheck.errors import NoPersonError
from formcheck.exercise import Exercise
from formcheck.landmarks import PoseFrame
from formcheck.poses import open_poses
from formcheck.recording import SUFFIX, RecordingWriter, is_recording
from formcheck.results import (
    rep_rows,
    results_document,
    write_frames_csv,
    write_json,
    write_reps_csv,
)
from formcheck.session import run_session


@dataclass
class Analysis:
    result: SessionResult
    document: dict
    out_dir: Path
    files: dict[str, Path]
    poses: list[PoseFrame]


class _RecordingSink:
    def __init__(self, writer: RecordingWriter | None) -> None:
        self.writer = writer
        self.poses: list[PoseFrame] = []

    def on_pose(self, image, pose: PoseFrame, latest: FrameResult | None) -> None:
        self.poses.append(pose)
        if self.writer is not None:
            self.writer.write(pose)

    def on_result(self, result: FrameResult) -> None:
        pass


def analyze_input(source: str | Path, exercise: Exercise, out_dir: Path,
                  side: str | None = None, model: str | None = None) -> Analysis:
    """Run the engine over a whole input and write results.json, frames.csv, reps.csv
    (and, for a video, the landmark recording) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    with open_poses(source, model) as stream:
        writer = None
        if not is_recording(source):
            files["recording"] = out_dir / f"{Path(str(source)).stem}{SUFFIX}"
            writer = RecordingWriter(files["recording"], stream.info, stream.model)
        sink = _RecordingSink(writer)
        engine = Engine(exercise, side=side)
        try:
            result = run_session(stream, engine, [sink])
        except BaseException as exc:
            if writer is not None:
                writer.__exit__(type(exc), exc, None)
            # keep what was measured so far
            partial = engine.finish()
            _write(partial, stream, out_dir, files)
            raise
        if writer is not None:
            writer.close()
    if stream.detected == 0:
        raise NoPersonError(f"no person found in any of the {stream.frames} frames of "
                            f"{stream.info.name}; make sure the whole body is in view")
    doc = _write(result, stream, out_dir, files)
    return Analysis(result, doc, out_dir, files, sink.poses)


def _write(result: SessionResult, stream, out_dir: Path, files: dict[str, Path]) -> dict:
    doc = results_document(result, stream.info, stream.model)
    files["results"] = out_dir / "results.json"
    files["frames_csv"] = out_dir / "frames.csv"
    files["reps_csv"] = out_dir / "reps.csv"
    write_json(doc, files["results"])
    write_frames_csv(result, files["frames_csv"])
    write_reps_csv(rep_rows(result), files["reps_csv"])
    return doc
