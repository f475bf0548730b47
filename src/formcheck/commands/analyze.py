"""Analysing one input (video, recording or camera) for an exercise, writing its files:
the landmark recording, results.json, frames.csv, reps.csv, report.html, and on request an
annotated (or skeleton-only) video."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.analysis import (
    Engine,
    Exercise,
    FrameResult,
    SessionResult,
    check_frame_rate,
    measure_session,
    run_session,
)
from formcheck.capture import (
    MIN_PERSON_PX,
    SUFFIX,
    PoseFrame,
    PoseStream,
    RecordingWriter,
    is_recording,
    open_poses,
    person_size_px,
    read_frames,
    refuse_overwrite,
)
from formcheck.errors import HistoryError, NoPersonError, SourceError
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
#: Frames of a landmark recording read ahead so the engine computes their features at once.
RECORDING_READ_AHEAD = 256


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
                 record: bool, video: str | None, files: dict[str, Path],
                 source: Path) -> None:
        self.exercise = exercise
        self.poses: list[PoseFrame] = []
        self.writer = None
        if record:
            files["recording"] = out_dir / f"{stem}{SUFFIX}"
            refuse_overwrite([source], files["recording"])
            self.writer = RecordingWriter(files["recording"], stream.info, stream.model)
        self.video_mode = video
        self.video = None
        if video:
            files["video"] = out_dir / f"{stem}.{video}.mp4"
            refuse_overwrite([source], files["video"])
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
                  video: str | None = None, history_path: Path | None = None,
                  progress: Callable[[int, int | None], None] | None = None) -> Analysis:
    """Run the engine over a whole input and write its files into ``out_dir``.  If the
    input stops early, what was measured so far is written before the error goes on.
    ``progress(frames done, frames expected or None)`` is called after every frame."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    stem = Path(str(source)).name.removesuffix(SUFFIX).rsplit(".", 1)[0]
    with open_poses(source, model) as stream:
        check_frame_rate(exercise, stream.info.fps, Path(source).name)
        sinks = _FileSinks(stream, exercise, out_dir, stem, not is_recording(source), video,
                           files, Path(source))
        engine = Engine(exercise, side=side)
        try:
            result = run_session(_reporting(stream, progress), engine, [sinks],
                                 RECORDING_READ_AHEAD if is_recording(source) else 1)
        except BaseException as exc:
            sinks.close(exc)
            _write(engine.finish(), stream, sinks.poses, out_dir, files, None, None)
            raise
        sinks.close()
    if stream.frames < 2:
        raise SourceError(f"{source} holds a single frame; formcheck needs a video of the "
                          "exercise (a few seconds at least)")
    if stream.detected == 0:
        raise NoPersonError(f"no person found in any of the {stream.frames} frames of "
                            f"{Path(source).name}; make sure the whole body is in view")
    # fault thumbnails show the real frame only when the user chose to keep video
    video_source = Path(source) if video == "annotated" and not is_recording(source) else None
    doc = _write(result, stream, sinks.poses, out_dir, files, history_path, video_source)
    return Analysis(result, doc, out_dir, files, sinks.poses)


def _reporting(stream: PoseStream, progress: Callable[[int, int | None], None] | None):
    for item in stream:
        yield item
        if progress is not None:
            progress(stream.frames, stream.info.frame_count)


def input_warnings(stream: PoseStream, poses: list[PoseFrame]) -> list[str]:
    """The reader's warnings (dropped frames, an incomplete recording) and a person too
    small in the picture to be measured reliably."""
    out = stream.warnings
    size = person_size_px(poses)
    if size is not None and size < MIN_PERSON_PX:
        out.append(f"the person spans only about {size:.0f} px of the {stream.info.width_px}"
                   f"x{stream.info.height_px} picture of {stream.info.name} (under "
                   f"{MIN_PERSON_PX} px): too small to measure reliably; film closer or at a "
                   "higher resolution")
    return out


def _write(result: SessionResult, stream: PoseStream, poses: list[PoseFrame], out_dir: Path,
           files: dict[str, Path], history_path: Path | None,
           video_source: Path | None) -> dict:
    """The session's own files first, the history row last: the row is inserted (for the
    report's comparison with earlier sessions) but committed only once the report is on
    disk, so neither a broken history nor a kill leaves a row pointing at no report."""
    feats, metrics = measure_session(result, poses)
    doc = results_document(result, stream.info, stream.model, metrics)
    doc["input_complete"] = stream.complete
    doc["input_warnings"] = input_warnings(stream, poses)
    files["results"] = out_dir / "results.json"
    files["frames_csv"] = out_dir / "frames.csv"
    files["reps_csv"] = out_dir / "reps.csv"
    write_json(doc, files["results"])
    write_frames_csv(result, files["frames_csv"])
    write_reps_csv(rep_rows(result, metrics), files["reps_csv"])
    with ExitStack() as stack:
        history, history_rows, history_error = None, [], None
        if history_path is not None:
            try:
                history = stack.enter_context(History(history_path))
                history.add(doc, "analyze", str(files["results"]), commit=False)
                history_rows = history.sessions(result.exercise.name)
            except HistoryError as exc:
                history, history_error = None, exc
        files["report"] = out_dir / "report.html"
        write_report(render_report(doc, result, feats, poses, history_rows,
                                   _fault_frames(result, doc, video_source)), files["report"])
        if history is not None:
            history.commit()
    if history_error is not None:
        raise HistoryError(f"{history_error}; the session's files were written to "
                           f"{out_dir}") from history_error
    return doc


def _fault_frames(result: SessionResult, doc: dict, video_source: Path | None):
    if video_source is None:
        return None
    specs = {f.id: f.feature for f in result.exercise.faults}
    return read_frames(video_source, {
        result.frames[worst_frame_index(result, f, specs.get(f["fault"]))].index
        for f in doc["faults"]})
