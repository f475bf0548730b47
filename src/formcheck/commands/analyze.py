"""Analysing one input (video, recording or camera) for an exercise, writing its files:
the landmark recording, results.json, frames.csv, reps.csv, report.html, and on request an
annotated (or skeleton-only) video."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from formcheck.analysis import (
    Engine,
    Exercise,
    FrameResult,
    SessionResult,
    measure_session,
    run_session,
)
from formcheck.capture import (
    SUFFIX,
    PoseFrame,
    PoseStream,
    RecordingWriter,
    is_recording,
    open_poses,
    read_frames,
)
from formcheck.errors import NoPersonError
from formcheck.outputs import (
    History,
    VideoSink,
    annotate,
    blank_like,
    render_report,
    rep_rows,
    results_document,
    worst_frame_index,
    write_frames_csv,
    write_json,
    write_report,
    write_reps_csv,
)

VIDEO_MODES = ("annotated", "skeleton")


@dataclass
class Analysis:
    result: SessionResult
    document: dict
    out_dir: Path
    files: dict[str, Path]
    poses: list[PoseFrame] = field(default_factory=list)


class _FileSinks:
    """Recording (always, for video input) and the optional rendered video."""

    def __init__(self, stream: PoseStream, exercise: Exercise, out_dir: Path, stem: str,
                 record: bool, video: str | None, files: dict[str, Path]) -> None:
        self.exercise = exercise
        self.poses: list[PoseFrame] = []
        self.writer = None
        if record:
            files["recording"] = out_dir / f"{stem}{SUFFIX}"
            self.writer = RecordingWriter(files["recording"], stream.info, stream.model)
        self.video_mode = video
        self.video = None
        if video:
            files["video"] = out_dir / f"{stem}.{video}.mp4"
            self.video = VideoSink(files["video"], stream.info.fps)

    def on_pose(self, image, pose: PoseFrame, latest: FrameResult | None) -> None:
        self.poses.append(pose)
        if self.writer is not None:
            self.writer.write(pose)
        if self.video is not None:
            base = image if self.video_mode == "annotated" and image is not None \
                else blank_like(pose.width_px, pose.height_px)
            self.video.write(annotate(base, pose, latest, self.exercise))

    def on_result(self, result: FrameResult) -> None:
        pass

    def close(self, exc: BaseException | None = None) -> None:
        if self.writer is not None:
            if exc is None:
                self.writer.close()
            else:
                self.writer.__exit__(type(exc), exc, None)
        if self.video is not None:
            self.video.close()


def analyze_input(source: str | Path, exercise: Exercise, out_dir: Path,
                  side: str | None = None, model: str | None = None,
                  video: str | None = None, history_path: Path | None = None) -> Analysis:
    """Run the engine over a whole input and write its files into ``out_dir``.  If the
    input stops early, what was measured so far is written before the error goes on."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    stem = Path(str(source)).name.removesuffix(SUFFIX).rsplit(".", 1)[0]
    with open_poses(source, model) as stream:
        sinks = _FileSinks(stream, exercise, out_dir, stem, not is_recording(source), video,
                           files)
        engine = Engine(exercise, side=side)
        try:
            result = run_session(stream, engine, [sinks])
        except BaseException as exc:
            sinks.close(exc)
            _write(engine.finish(), stream, sinks.poses, out_dir, files, None, None)
            raise
        sinks.close()
    if stream.detected == 0:
        raise NoPersonError(f"no person found in any of the {stream.frames} frames of "
                            f"{stream.info.name}; make sure the whole body is in view")
    # fault thumbnails show the real frame only when the user chose to keep video
    video_source = Path(source) if video == "annotated" and not is_recording(source) else None
    doc = _write(result, stream, sinks.poses, out_dir, files, history_path, video_source)
    return Analysis(result, doc, out_dir, files, sinks.poses)


def _write(result: SessionResult, stream: PoseStream, poses: list[PoseFrame], out_dir: Path,
           files: dict[str, Path], history_path: Path | None,
           video_source: Path | None) -> dict:
    feats, metrics = measure_session(result, poses)
    doc = results_document(result, stream.info, stream.model, metrics)
    files["results"] = out_dir / "results.json"
    files["frames_csv"] = out_dir / "frames.csv"
    files["reps_csv"] = out_dir / "reps.csv"
    write_json(doc, files["results"])
    write_frames_csv(result, files["frames_csv"])
    write_reps_csv(rep_rows(result, metrics), files["reps_csv"])
    history_rows = []
    if history_path is not None:
        with History(history_path) as history:
            history.add(doc, "analyze", str(files["results"]))
            history_rows = history.sessions(result.exercise.name)
    images = None
    if video_source is not None:
        specs = {f.id: f.feature for f in result.exercise.faults}
        images = read_frames(video_source, {
            result.frames[worst_frame_index(result, f, specs.get(f["fault"]))].index
            for f in doc["faults"]})
    files["report"] = out_dir / "report.html"
    write_report(render_report(doc, result, feats, poses, history_rows, images),
                 files["report"])
    return doc
