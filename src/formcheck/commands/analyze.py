"""Analysing one input (video, recording or camera) for an exercise, writing its files:
the landmark recording, results.json, frames.csv, reps.csv, report.html, and on request an
annotated (or skeleton-only) H.264 video and a PDF of the report."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from formcheck.analysis import (
    Engine,
    Exercise,
    FrameResult,
    Prescribed,
    SessionResult,
    check_frame_rate,
    hold_quality,
    measure_session,
    run_session,
)
from formcheck.capture import (
    MIN_PERSON_PX,
    SUFFIX,
    PoseFrame,
    PoseStream,
    RecordingWriter,
    VideoFileSource,
    file_sha256,
    file_time_utc,
    is_recording,
    open_poses,
    person_size_px,
    read_frames,
    refuse_overwrite,
)
from formcheck.errors import HistoryError, NoPersonError, SourceError
from formcheck.outputs import (
    History,
    render_report,
    rep_rows,
    results_document,
    weekly_adherence,
    worst_frame_index,
    write_frames_csv,
    write_json,
    write_pdf,
    write_report,
    write_reps_csv,
    write_session_video,
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
    """The recording (always, for video input); the video is drawn after the analysis."""

    def __init__(self, stream: PoseStream, out_dir: Path, stem: str, record: bool,
                 video: str | None, files: dict[str, Path], source: Path) -> None:
        self.poses: list[PoseFrame] = []
        self.writer = None
        if record:
            files["recording"] = out_dir / f"{stem}{SUFFIX}"
            refuse_overwrite([source], files["recording"])
            self.writer = RecordingWriter(files["recording"], stream.info, stream.model,
                                          stream.footer)
        if video:
            files["video"] = out_dir / f"{stem}.{video}.mp4"
            refuse_overwrite([source], files["video"])

    def on_pose(self, image, pose: PoseFrame, latest: FrameResult | None) -> None:
        self.poses.append(pose)
        if self.writer is not None:
            self.writer.write(pose)

    def on_result(self, result: FrameResult) -> None:
        pass

    def close(self, exc: BaseException | None = None) -> None:
        if self.writer is not None:
            if exc is None:
                self.writer.close()
            else:
                self.writer.__exit__(type(exc), exc, None)


@dataclass
class _Context:
    """Where the session came from and where it is stored."""

    stream: PoseStream
    source: str | Path
    patient: str | None = None
    history_path: Path | None = None
    video_source: Path | None = None  # the original video, for real-frame thumbnails
    prescribed: Prescribed | None = None  # for adherence: sessions done against prescribed

    def info(self):
        """The source's description, dated and hashed from the input file when it does
        not say (a recording made before sources were dated)."""
        info = self.stream.info
        if isinstance(self.source, int):
            return info
        return replace(info, recorded_utc=info.recorded_utc or file_time_utc(self.source),
                       sha256=info.sha256 or file_sha256(self.source))


def analyze_input(source: str | Path, exercise: Exercise, out_dir: Path,
                  side: str | None = None, model: str | None = None,
                  video: str | None = None, history_path: Path | None = None,
                  progress: Callable[[int, int | None], None] | None = None,
                  patient: str | None = None, prescribed: Prescribed | None = None,
                  pdf: bool = False) -> Analysis:
    """Run the engine over a whole input and write its files into ``out_dir``.  If the
    input stops early, what was measured so far is written before the error goes on.
    ``progress(frames done, frames expected or None)`` is called after every frame.
    ``exercise`` carries the dose to judge against (the patient's prescription, see
    ``apply_prescription``); the session is stored under ``patient`` in the history."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    stem = Path(str(source)).name.removesuffix(SUFFIX).rsplit(".", 1)[0]
    with open_poses(source, model) as stream:
        check_frame_rate(exercise, stream.info.fps, Path(source).name)
        sinks = _FileSinks(stream, out_dir, stem, not is_recording(source), video, files,
                           Path(source))
        engine = Engine(exercise, side=side, recorded=True)
        try:
            result = run_session(_reporting(stream, progress), engine, [sinks],
                                 RECORDING_READ_AHEAD if is_recording(source) else 1)
        except BaseException as exc:
            sinks.close(exc)
            _write(engine.finish(), _Context(stream, source, patient), sinks.poses, out_dir,
                   files, None)
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
    if video:
        _render_video(files["video"], stream.info.fps, sinks.poses, result, video_source)
    ctx = _Context(stream, source, patient, history_path, video_source, prescribed)
    doc = _write(result, ctx, sinks.poses, out_dir, files, video)
    if pdf:
        files["pdf"] = write_pdf(files["report"], out_dir / "report.pdf")
    return Analysis(result, doc, out_dir, files, sinks.poses)


def _reporting(stream: PoseStream, progress: Callable[[int, int | None], None] | None):
    for item in stream:
        yield item
        if progress is not None:
            progress(stream.frames, stream.info.frame_count)


def _render_video(path: Path, fps: float, poses: list[PoseFrame], result: SessionResult,
                  video_source: Path | None) -> None:
    """The annotated (camera frames) or skeleton-only video, drawn after analysis."""
    if video_source is None:
        write_session_video(path, fps, poses, result, result.exercise)
        return
    with VideoFileSource(video_source) as frames:
        write_session_video(path, fps, poses, result, result.exercise, (f.bgr for f in frames))


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


def _write(result: SessionResult, ctx: _Context, poses: list[PoseFrame], out_dir: Path,
           files: dict[str, Path], video: str | None) -> dict:
    """The session's own files first, the history row last: the row is inserted (for the
    report's comparison with earlier sessions) but committed only once the report is on
    disk, so neither a broken history nor a kill leaves a row pointing at no report."""
    feats, metrics = measure_session(result, poses)
    holds = hold_quality(result, poses, feats)
    doc = results_document(result, ctx.info(), ctx.stream.model, metrics, holds, ctx.patient)
    doc["input_complete"] = ctx.stream.complete
    doc["input_warnings"] = input_warnings(ctx.stream, poses)
    files["results"] = out_dir / "results.json"
    files["frames_csv"] = out_dir / "frames.csv"
    files["reps_csv"] = out_dir / "reps.csv"
    write_json(doc, files["results"])
    write_frames_csv(result, files["frames_csv"])
    write_reps_csv(rep_rows(result, metrics, holds), files["reps_csv"])
    files["report"] = out_dir / "report.html"
    with ExitStack() as stack:
        history, history_rows, history_error = None, [], None
        if ctx.history_path is not None:
            try:
                history = stack.enter_context(History(ctx.history_path))
                history.add(doc, "analyze", str(files["results"].resolve()),
                            str(files["report"].resolve()), commit=False)
                history_rows = history.sessions(result.exercise.name, doc["patient"] or "")
            except HistoryError as exc:
                history, history_error = None, exc
        adherence = weekly_adherence(history_rows, ctx.prescribed) if ctx.prescribed else []
        video_name = files["video"].name if video and "video" in files else None
        write_report(render_report(doc, result, feats, poses, history_rows,
                                   _fault_frames(result, doc, ctx.video_source), video_name,
                                   out_dir, adherence), files["report"])
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


def write_session_report(result: SessionResult, doc: dict, poses: list[PoseFrame],
                         out_dir: Path, history_path: Path | None = None) -> Path:
    """report.html for a session already stored (a live one): the same report as
    ``analyze`` writes, with this patient's history."""
    feats, _ = measure_session(result, poses)
    rows: list = []
    if history_path is not None:
        with History(history_path) as history:
            rows = history.sessions(result.exercise.name, doc.get("patient") or "")
    path = out_dir / "report.html"
    write_report(render_report(doc, result, feats, poses, rows, out_dir=out_dir), path)
    return path
