"""Live coaching: a window with the camera image, skeleton, counters and cues, spoken cues,
and the session's files written as it goes.

Keys: space pauses, q or Esc ends, s switches the working side (a new part of the session),
n starts the next set, f toggles full screen, h shows the keys.  The session ends by itself
when the dose is done (on both sides for a one-sided exercise, unless the side is given).
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
    ShakeWatch,
    check_frame_rate,
    hold_quality,
    measure_session,
)
from formcheck.capture import SUFFIX, PoseFrame, RecordingWriter, open_poses, refuse_overwrite
from formcheck.commands.coaching import (
    TOO_SLOW,
    Keys,
    SlowWatch,
    model_name,
    sets_done,
    setup_words,
    too_slow_note,
    too_slow_status,
)
from formcheck.commands.ending import end_session
from formcheck.errors import SourceEndedEarly
from formcheck.features import other
from formcheck.outputs import (
    CueCaller,
    Speaker,
    annotate,
    blank_like,
    number_words,
    results_document,
    write_frames_csv,
    write_json,
)
from formcheck.outputs import window as screen

RESULTS_EVERY_S = 2.0
KEY_QUIT = {ord("q"), 27}
#: The setup is spoken when the person is not in the start position this long after the start.
SETUP_SPEECH_AFTER_S = 2.0


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
    fullscreen: bool = False
    end_at_dose: bool = True
    patient: str | None = None
    prescription: str | None = None  # a prescription file instead of the patient's stored one
    # how long each end-of-session rating waits for a key (0: not asked); default: 30 s
    # with a camera, not asked when a file is played (unless given)
    rating_s: float | None = None
    intro: tuple[str, ...] = ()  # said at the start and shown until counting starts


@dataclass
class LiveOutcome:
    parts: list[SessionResult]
    files: dict[str, Path]
    frames: int
    displayed: int
    ended_by: str  # "end", "dose", "user", "window", "interrupt", "source_lost"
    message: str = ""
    latencies_ms: list[float] = field(default_factory=list)  # capture -> overlay shown
    display_s: float = 0.0  # from the first frame shown to the last
    dropped: int = 0
    summary: list[str] = field(default_factory=list)  # in plain words, said and shown
    progress: str = ""  # the progression rule applied to the history and this session
    rating: dict | None = None  # the patient's effort and pain, 0-10 (None: skipped)


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
        self.written: dict | None = None  # the last results document written
        self._sets_done = 0
        self._setup_said = False
        self.finished = False
        self.slow = SlowWatch()
        # holds to fatigue: a gentle word when shaking starts
        self.shake = ShakeWatch(stream.info.fps or 30.0, opts.exercise.hold_quality) \
            if opts.exercise.hold_to_fatigue else None

    def feed(self, pose) -> bool:
        """Analyse one pose; returns whether the dose is now done (the session is over)."""
        self.poses.append(pose)
        for result in self.engine.update(pose):
            self.latest = result
            self.cues.on_result(result)
        state = self.latest.state if self.latest else "setup"
        if self.shake is not None and self.shake.update(pose, self.engine.side, state):
            self.speaker.say(self.opts.exercise.hold_quality.shaking_cue, key="shaking",
                             now=pose.t_s, debounce_s=0.0)
        if len(self.poses) == 1 and self.opts.intro:
            self.speaker.say(" ".join(self.opts.intro), key="intro", now=pose.t_s,
                             debounce_s=0)
        self._setup_speech(pose.t_s)
        return self.opts.end_at_dose and self._check_dose()

    def _setup_speech(self, t_s: float) -> None:
        """The exercise's setup and where to put the camera, said once, unless the person
        is already in the start position; the missing body parts are said by the cues."""
        if not self._setup_said and t_s >= SETUP_SPEECH_AFTER_S and \
                (self.latest is None or self.latest.state == "setup"):
            self._setup_said = True
            self.speaker.say(setup_words(self.opts.exercise), key="setup", now=t_s)

    def _check_dose(self) -> bool:
        """Announce a finished set; on the last one switch to the other side or end."""
        done = sets_done(self.engine.machine.reps, self.opts.exercise.dose)
        if done == self._sets_done:
            return False
        self._sets_done = done
        t = self.latest.t_s if self.latest else None
        if done < self.opts.exercise.dose.sets:
            self.engine.set = done + 1
            self.speaker.say(f"Set {number_words(done)} done. Rest, then start the next set.",
                             key="set_done", now=t, debounce_s=0)
            return False
        if self._other_side_to_do():
            self.switch_side()
            return False
        return True  # said with the summary

    def _other_side_to_do(self) -> bool:
        return not self.opts.exercise.bilateral and self.opts.side is None and not self.parts

    def switch_side(self) -> None:
        finished = self.engine.finish()
        self.parts.append(finished)
        side = other(finished.side) if finished.side else None
        self.engine = Engine(self.opts.exercise, side=side)
        self._sets_done = 0
        t = self.latest.t_s if self.latest else None
        self.latest = None
        self.cues = CueCaller(self.speaker, self.opts.exercise)
        self.speaker.say(f"Now the {side or 'other'} side: turn round so it is the one "
                         "nearer the camera", key="side", now=t, debounce_s=0)

    def next_set(self) -> None:
        self.engine.set += 1

    def finish(self) -> None:
        self.parts.append(self.engine.finish())
        self.finished = True

    def snapshot(self) -> list[SessionResult]:
        return list(self.parts) if self.finished else [*self.parts, self.engine.snapshot()]

    def save(self, force: bool = False) -> list[dict]:
        """Write results.json and frames.csv (every few seconds, or now with ``force``);
        returns the results document of each part."""
        now = time.monotonic()
        if not force and now - self._last_save < RESULTS_EVERY_S:
            return []
        self._last_save = now
        parts = self.snapshot()
        # the lag-free per-rep metrics, as `analyze` writes them, once at the end
        measured = [measure_session(p, self.poses) if force else (None, None) for p in parts]
        docs = [results_document(p, self.stream.info, self.stream.model, m,
                                 hold_quality(p, self.poses, f) if force else None,
                                 self.opts.patient)
                for p, (f, m) in zip(parts, measured, strict=True)]
        for part_doc in docs if force else []:  # the input's warnings, once at the end
            part_doc["input_warnings"] = self.stream.warnings
        doc = {**docs[-1], "parts": docs} if len(docs) > 1 else docs[-1]
        doc["live"] = {"dropped_frames": self.slow.dropped, "shown_frames": self.slow.shown,
                       "too_slow": self.slow.ever, "model": model_name(self.stream.model),
                       "note": too_slow_note(self.stream.model) if self.slow.ever else None}
        doc["rating"] = None  # asked at the very end (commands.ending)
        write_json(doc, self.files["results"])
        self.written = doc
        write_frames_csv(parts[-1], self.files["frames_csv"])
        return docs


def run_live(opts: LiveOptions) -> LiveOutcome:
    """Run a live session until the source ends, the user quits, or the source is lost.
    The recording, results.json, frames.csv and cues.log are written as it goes."""
    if opts.window:
        screen.check_display()
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    _import_what_the_session_needs_later()
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
            screen.open_window(stream.info.width_px, stream.info.height_px, opts.fullscreen)
        with RecordingWriter(rec_path, stream.info, stream.model, stream.footer) as writer:
            try:
                _loop(stream, session, writer, outcome, opts)
            except SourceEndedEarly as exc:
                outcome.ended_by, outcome.message = "source_lost", str(exc)
            except KeyboardInterrupt:
                outcome.ended_by = "interrupt"
        outcome.dropped = stream.source_dropped
    session.finish()
    outcome.parts = session.parts
    end_session(session, outcome, opts)
    return outcome


def _import_what_the_session_needs_later() -> None:
    """SciPy, imported on first use so that short commands start fast, is loaded before
    the first frame: mid-session it froze the window for 1.5-3 s and hid the next rep."""
    import scipy.signal  # noqa: F401
    import scipy.stats  # noqa: F401


def _loop(stream, session: _Session, writer: RecordingWriter, outcome: LiveOutcome,
          opts: LiveOptions) -> None:
    """Frame by frame: record, analyse (unless paused), save, show, and act on keys."""
    keys = Keys()
    first_shown = None
    for image, pose in stream:
        captured = stream.last_captured_s or time.monotonic()
        writer.write(pose)
        outcome.frames += 1
        dose_done = not keys.paused and session.feed(pose)
        session.save()
        if dose_done:
            outcome.ended_by = "dose"
            return
        if not opts.window:
            continue
        if session.slow.update(time.monotonic(), stream.source_dropped, outcome.frames):
            session.speaker.say(TOO_SLOW, key="slow", debounce_s=60.0)
        base = image if image is not None else blank_like(pose.width_px, pose.height_px)
        key = screen.show(annotate(base, pose, session.latest, opts.exercise,
                                   status=_status(keys, session), legend=keys.legend,
                                   canvas=screen.canvas_size(), guide=_guide(session),
                                   figure=_figure(session)))
        now = time.monotonic()
        outcome.displayed += 1
        first_shown = first_shown or now
        outcome.display_s = now - first_shown
        outcome.latencies_ms.append((now - captured) * 1000.0)
        if key in KEY_QUIT or screen.window_closed():
            outcome.ended_by = "user" if key in KEY_QUIT else "window"
            return
        keys.act(key, session)


def _guide(session: _Session) -> str | None:
    """Before counting, the exercise's setup and where to put the camera."""
    if session.latest is None or session.latest.state == "setup":
        return " ".join([*session.opts.intro, setup_words(session.opts.exercise)])
    return None


def _figure(session: _Session):
    """Before counting, the picture of the start position (when the file has one)."""
    posture = session.opts.exercise.posture
    if posture is not None and (session.latest is None or session.latest.state == "setup"):
        return posture.drawing
    return None


def _status(keys: Keys, session: _Session) -> str | None:
    if keys.paused:
        return "Paused: press space to go on"
    if session.slow.now:
        return too_slow_status(session.stream.model)
    crowd = session.stream.crowd
    return crowd.live_note() if crowd is not None else None
