"""Live coaching: a window with the camera image, skeleton, counters and cues, spoken cues,
and the session's files written as it goes.

Keys: space pauses, q or Esc ends, s switches the working side (a new part of the session),
n starts the next set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.analysis import (
    Engine,
    Exercise,
    FrameResult,
    SessionResult,
    check_frame_rate,
    measure_session,
)
from formcheck.capture import SUFFIX, PoseFrame, RecordingWriter, open_poses, refuse_overwrite
from formcheck.errors import SourceEndedEarly
from formcheck.features import other
from formcheck.outputs import (
    CueCaller,
    History,
    Speaker,
    annotate,
    blank_like,
    results_document,
    write_frames_csv,
    write_json,
)
from formcheck.outputs import window as screen

RESULTS_EVERY_S = 2.0
KEY_QUIT = {ord("q"), 27}


@dataclass
class LiveOptions:
    exercise: Exercise
    source: str | int
    out_dir: Path
    side: str | None = None
    voice: bool = True
    voice_wav_dir: Path | None = None
    history_path: Path | None = None
    model: str | None = None
    summary_s: float = 4.0
    window: bool = True


@dataclass
class LiveOutcome:
    parts: list[SessionResult]
    files: dict[str, Path]
    frames: int
    displayed: int
    ended_by: str  # "end", "user", "window", "interrupt", "source_lost"
    message: str = ""
    latencies_ms: list[float] = field(default_factory=list)  # capture -> overlay shown
    display_s: float = 0.0  # from the first frame shown to the last
    dropped: int = 0


class _Session:
    """The engine parts (one per side), the cue caller and the incremental files."""

    def __init__(self, opts: LiveOptions, stream) -> None:
        self.opts = opts
        self.stream = stream
        self.engine = Engine(opts.exercise, side=opts.side)
        self.parts: list[SessionResult] = []
        self.poses: list[PoseFrame] = []  # analysed poses, for the final per-rep metrics
        self.latest: FrameResult | None = None
        self.files = {"results": opts.out_dir / "results.json",
                      "frames_csv": opts.out_dir / "frames.csv",
                      "cues": opts.out_dir / "cues.log"}
        self.speaker = Speaker(enabled=opts.voice, wav_dir=opts.voice_wav_dir,
                               log_path=self.files["cues"])
        self.cues = CueCaller(self.speaker, opts.exercise)
        self._last_save = 0.0

    def feed(self, pose) -> None:
        self.poses.append(pose)
        for result in self.engine.update(pose):
            self.latest = result
            self.cues.on_result(result)

    def switch_side(self) -> None:
        finished = self.engine.finish()
        self.parts.append(finished)
        side = other(finished.side) if finished.side else None
        self.engine = Engine(self.opts.exercise, side=side)
        self.latest = None
        self.cues = CueCaller(self.speaker, self.opts.exercise)
        self.speaker.say(f"Switching to the {side or 'other'} side", key="side", debounce_s=0)

    def next_set(self) -> None:
        self.engine.set += 1

    def snapshot(self) -> list[SessionResult]:
        return [*self.parts, self.engine.snapshot()]

    def save(self, force: bool = False) -> list[dict]:
        """Write results.json and frames.csv (every few seconds, or now with ``force``);
        returns the results document of each part."""
        now = time.monotonic()
        if not force and now - self._last_save < RESULTS_EVERY_S:
            return []
        self._last_save = now
        parts = self.snapshot()
        # the lag-free per-rep metrics, as `analyze` writes them, once at the end
        metrics = [measure_session(p, self.poses)[1] if force else None for p in parts]
        docs = [results_document(p, self.stream.info, self.stream.model, m)
                for p, m in zip(parts, metrics, strict=True)]
        doc = {**docs[-1], "parts": docs} if len(docs) > 1 else docs[-1]
        write_json(doc, self.files["results"])
        write_frames_csv(parts[-1], self.files["frames_csv"])
        return docs


def run_live(opts: LiveOptions) -> LiveOutcome:
    """Run a live session until the source ends, the user quits, or the source is lost.
    The recording, results.json, frames.csv and cues.log are written as it goes."""
    if opts.window:
        screen.check_display()
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    realtime = not isinstance(opts.source, int)
    with open_poses(opts.source, opts.model, realtime=realtime) as stream:
        name = f"camera{opts.source}" if isinstance(opts.source, int) else \
            Path(str(opts.source)).name.split(".")[0]
        rec_path = opts.out_dir / f"{name}{SUFFIX}"
        if realtime:
            refuse_overwrite([Path(opts.source)], rec_path)
        check_frame_rate(opts.exercise, stream.info.fps, stream.info.name)
        session = _Session(opts, stream)
        outcome = LiveOutcome([], {"recording": rec_path, **session.files}, 0, 0, "end")
        if opts.window:
            screen.open_window(stream.info.width_px, stream.info.height_px)
        with RecordingWriter(rec_path, stream.info, stream.model) as writer:
            try:
                _loop(stream, session, writer, outcome, opts)
            except SourceEndedEarly as exc:
                outcome.ended_by, outcome.message = "source_lost", str(exc)
            except KeyboardInterrupt:
                outcome.ended_by = "interrupt"
        outcome.dropped = stream.source_dropped
    session.parts.append(session.engine.finish())
    outcome.parts = session.parts
    docs = session.save(force=True)
    if opts.history_path is not None:
        with History(opts.history_path) as history:
            for doc in docs:
                history.add(doc, "live", str(session.files["results"]))
    if opts.window:
        screen.show_summary(["Session done", *summary_lines(session.parts),
                             f"Files: {opts.out_dir}"], stream.info.width_px,
                            stream.info.height_px, opts.summary_s)
    session.speaker.close(wait=opts.voice_wav_dir is not None)
    return outcome


def _loop(stream, session: _Session, writer: RecordingWriter, outcome: LiveOutcome,
          opts: LiveOptions) -> None:
    """Frame by frame: record, analyse (unless paused), save, show, and act on keys."""
    paused = False
    first_shown = None
    for image, pose in stream:
        captured = stream.last_captured_s or time.monotonic()
        writer.write(pose)
        outcome.frames += 1
        if not paused:
            session.feed(pose)
        session.save()
        if not opts.window:
            continue
        base = image if image is not None else blank_like(pose.width_px, pose.height_px)
        key = screen.show(annotate(base, pose, session.latest, opts.exercise,
                                   status="paused - space to go on" if paused else None))
        now = time.monotonic()
        outcome.displayed += 1
        first_shown = first_shown or now
        outcome.display_s = now - first_shown
        outcome.latencies_ms.append((now - captured) * 1000.0)
        if key in KEY_QUIT or screen.window_closed():
            outcome.ended_by = "user" if key in KEY_QUIT else "window"
            return
        paused = _act_on_key(key, session, paused)


def _act_on_key(key: int, session: _Session, paused: bool) -> bool:
    """Space pauses or resumes, s switches side, n starts the next set; returns paused."""
    if key == ord(" "):
        return not paused
    if key == ord("s"):
        session.switch_side()
    elif key == ord("n"):
        session.next_set()
    return paused


def summary_lines(parts: list[SessionResult]) -> list[str]:
    lines = []
    for part in parts:
        faults = sorted({e.fault for e in part.events if e.kind == "form"})
        holds = ", ".join(f"{h.hold_s:.0f} s" for h in part.holds)
        lines.append(f"{part.side or '-'} side: {len(part.counted_reps)} reps, {part.sets} "
                     f"set(s)" + (f", holds {holds}" if holds else "")
                     + (f"; faults: {', '.join(faults)}" if faults else "; no form faults"))
    return lines
