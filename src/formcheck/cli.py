"""Command line: wires sources, analysis and sinks together.  The only place that prints
for the user and turns exceptions into exit codes (0 ok, 1 failure, 2 bad input, 130
interrupted)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError, InputError, NoPersonError, SourceEndedEarly
from formcheck.outputs import default_history_path

EXIT_OK, EXIT_FAILURE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _source_arg(text: str) -> str | int:
    """A camera index ("0") or a path; a file that exists wins (a video named "1")."""
    return int(text) if text.isdigit() and not Path(text).exists() else text


def _number_arg(kind: type, minimum: float, name: str):
    """An option's number, finite and at least ``minimum``; argparse names ``name`` in
    its message when it is not."""
    def parse(text: str):
        value = kind(text)
        if not (math.isfinite(value) and value >= minimum):
            raise ValueError(text)
        return value

    parse.__name__ = name
    return parse


class _Parser(argparse.ArgumentParser):
    """A usage error is one line naming the problem (argparse puts the usage first)."""

    def error(self, message: str):
        self.exit(EXIT_INPUT, f"formcheck: error: {self.prog}: {message} (see "
                              f"'{self.prog} --help')\n")


class _Progress:
    """A progress line on the terminal (stderr), cleared at the end."""

    def __init__(self, enabled: bool) -> None:
        from formcheck.commands import ProgressText

        self.text = ProgressText() if enabled else None

    def __call__(self, done: int, total: int | None) -> None:
        line = self.text.update(done, total) if self.text else None
        if line:
            print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        if self.text and self.text.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _progress(args: argparse.Namespace) -> _Progress:
    return _Progress(sys.stderr.isatty() and not args.quiet)


def cmd_extract(args: argparse.Namespace) -> int:
    from formcheck.capture import RecordingWriter, open_poses, refuse_overwrite

    out = Path(args.output)
    if not isinstance(args.source, int):
        refuse_overwrite([Path(args.source)], out)
    progress = _progress(args)
    with open_poses(args.source, args.model) as stream:
        try:
            with RecordingWriter(out, stream.info, stream.model, stream.footer) as writer:
                for _, pose in stream:
                    writer.write(pose)
                    progress(stream.frames, stream.info.frame_count)
        except FormcheckError as exc:
            raise type(exc)(f"{exc}; partial recording of {writer.frames} frames: "
                            f"{out}") from exc
        finally:
            progress.clear()
    _warn(stream.warnings)
    if stream.detected == 0:
        raise NoPersonError(f"no person found in any of the {stream.frames} frames of "
                            f"{stream.info.name if stream.info.kind == 'camera' else args.source}"
                            f"; make sure the whole body is in view (recording kept: {out})")
    print(f"{out}: {stream.frames} frames, person found in {stream.detected} "
          f"({100.0 * stream.detected / max(stream.frames, 1):.1f} %)")
    return EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.commands import exercise_for_patient, expand_inputs, format_summary

    history = None if args.no_history else Path(args.history or default_history_path())
    exercise, prescribed = exercise_for_patient(args, history or default_history_path())
    if len(args.sources) == 1 and isinstance(args.sources[0], int):
        raise InputError("analyze takes files; for a camera use 'formcheck live'")
    sources = expand_inputs([str(s) for s in args.sources])
    if len(sources) > 1 or Path(str(args.sources[0])).is_dir() or args.cluster:
        return _analyze_many(sources, args, history, prescribed)
    from formcheck.commands import analyze_input

    source = sources[0]
    out = Path(args.output) if args.output else Path("formcheck-out") / source.name.split(".")[0]
    progress = _progress(args)
    try:
        analysis = analyze_input(source, exercise, out, side=args.side, model=args.model,
                                 video=args.video, history_path=history, progress=progress,
                                 patient=args.patient, prescribed=prescribed, pdf=args.pdf)
    finally:
        progress.clear()
    _warn(analysis.document["input_warnings"])
    print(format_summary(analysis.document))
    files = sorted(analysis.files.items(), key=lambda kv: kv[0] != "report")  # report first
    print(f"\nfiles: {', '.join(str(p) for _, p in files)}")
    return EXIT_OK


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"formcheck: warning: {warning}", file=sys.stderr)


def _analyze_many(sources: list[Path], args: argparse.Namespace, history: Path | None,
                  prescribed) -> int:
    from formcheck.commands import batch_summary, batch_table, run_batch

    out_root = Path(args.output or "formcheck-out")

    def progress(done: int, total: int, item) -> None:
        bar = "#" * int(30 * done / total)
        print(f"[{bar:<30}] {done}/{total} {item.source.name}: {item.status}", file=sys.stderr)

    items = sorted(run_batch(sources, args.exercise, out_root, args.side, args.model,
                             args.video, history, args.workers, progress, args.cluster,
                             args.retry_failed, args.patient, prescribed),
                   key=lambda i: str(i.source))
    print(f"\n{batch_table(items)}\n\n{batch_summary(items, out_root)}")
    return EXIT_INPUT if any(not i.ok for i in items) else EXIT_OK


def cmd_clinic(args: argparse.Namespace) -> int:
    """history and prescribe: their text, from the history database's folder."""
    print(args.text(Path(args.history or default_history_path()), args))
    return EXIT_OK


def cmd_live(args: argparse.Namespace) -> int:
    from formcheck import commands as run

    out = Path(args.output or Path("formcheck-out") / time.strftime("live-%Y%m%d-%H%M%S"))
    history = None if args.no_history else Path(args.history or default_history_path())
    opts = run.LiveOptions(None, (args.source or [args.camera])[0], out, side=args.side,
                           voice=not args.no_voice, history_path=history, model=args.model,
                           voice_wav_dir=Path(args.voice_wav) if args.voice_wav else None,
                           summary_s=args.summary_s, fullscreen=args.fullscreen,
                           end_at_dose=not args.no_auto_end, patient=args.patient,
                           prescription=args.prescription, rating_s=args.rating_s)
    outcomes, lines = run.run_exercise_or_program(
        opts, args.exercise, args.program, (args.reps, args.sets, args.hold_s), args.source or [])
    print("\n".join(lines))
    print(f"session files: {', '.join(str(p) for o in outcomes for p in o.files.values())}")
    if outcomes and outcomes[-1].ended_by == "source_lost":
        raise SourceEndedEarly(outcomes[-1].message)
    return EXIT_INTERRUPTED if outcomes and outcomes[-1].ended_by == "interrupt" else EXIT_OK


def cmd_exercises(args: argparse.Namespace) -> int:
    from formcheck.analysis import catalog, load_exercise
    from formcheck.commands import describe_exercise

    if args.action == "show":
        if not args.name:
            raise InputError("say which exercise: formcheck exercises show NAME")
        print(describe_exercise(load_exercise(args.name)))
        return EXIT_OK
    for name, ex in catalog().items():
        print(f"{name:26} {ex.title}" + (f"  (also: {', '.join(ex.aliases)})" * bool(ex.aliases)))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="formcheck", description="Checks the form of glute rehabilitation exercises "
        "from a camera, a video or a landmark recording.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="write every frame's landmarks to a recording")
    p.add_argument("source", type=_source_arg,
                   help="video file, landmark recording, or camera index (0, 1, ...)")
    p.add_argument("-o", "--output", required=True, help="recording file to write "
                   "(.landmarks.jsonl)")
    _add_model_arg(p)
    _add_quiet_arg(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("analyze", help="count reps, holds and pumps and find faults")
    p.add_argument("sources", nargs="+", type=_source_arg, metavar="INPUT",
                   help="video files, landmark recordings, folders or glob patterns")
    p.add_argument("-e", "--exercise", required=True,
                   help="built-in exercise name (see 'formcheck exercises') or a .toml file")
    p.add_argument("-o", "--output", help="folder for the results (default: "
                   "formcheck-out/<input name>)")
    p.add_argument("--side", choices=("left", "right"), help="force the working side")
    p.add_argument("--video", choices=("annotated", "skeleton"),
                   help="also write a video: the frames with the overlay (patient video: "
                   "only with consent), or the skeleton alone on a dark background")
    p.add_argument("--pdf", action="store_true", help="also print the report to report.pdf "
                   "(A4, through headless Chromium)")
    p.add_argument("--workers", type=_number_arg(int, 1, "whole number (1 or more)"),
                   help="processes for many inputs (default: all cores)")
    p.add_argument("--cluster", metavar="ADDRESS", help="run on Dask: a scheduler's "
                   "tcp://HOST:PORT, or local[:N] (needs pip install 'formcheck[cluster]')")
    p.add_argument("--retry-failed", action="store_true", help="retry earlier failures")
    _add_history_args(p)
    _add_model_arg(p)
    _add_quiet_arg(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("live", help="coach a session live (a camera, or a file played as one)")
    p.add_argument("-e", "--exercise", help="exercise name or .toml file")
    p.add_argument("--program", metavar="FILE", help="a day's programme (.toml) instead")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=0, help="camera index (default 0)")
    src.add_argument("--source", nargs="+", help="files played as the camera (one per exercise)")
    p.add_argument("--side", choices=("left", "right"), help="force the working side")
    p.add_argument("-o", "--output", help="session folder (default formcheck-out/live-TIME)")
    p.add_argument("--no-voice", action="store_true", help="cues on screen only")
    p.add_argument("--voice-wav", metavar="DIR", help="spoken cues to WAV files, not speakers")
    p.add_argument("--summary-s", type=_number_arg(float, 0, "number of seconds (0 or more)"),
                   default=4.0, help="summary screen time (s)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (key f)")
    p.add_argument("--rating-s", type=_number_arg(float, 0, "number of seconds (0 or more)"),
                   help="wait for each effort/pain rating (default 30; 0 with --source)")
    for flag, kind, what in (("--reps", int, "reps per set"), ("--sets", int, "sets"),
                             ("--hold-s", float, "hold (s)")):
        p.add_argument(flag, type=kind, help=f"this patient's {what}, not the file's")
    p.add_argument("--no-auto-end", action="store_true", help="go on after the dose (q ends)")
    _add_history_args(p)
    _add_model_arg(p)
    p.set_defaults(func=cmd_live)

    from formcheck.commands import add_clinic_parsers

    add_clinic_parsers(sub, cmd_clinic)

    p = sub.add_parser("exercises", help="list the exercises, or show one")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_exercises)
    return parser


def _add_quiet_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")


def _add_history_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--history", metavar="DB", help="history database (default: "
                   "$FORMCHECK_HISTORY or ~/.local/share/formcheck/history.sqlite)")
    p.add_argument("--no-history", action="store_true", help="do not store this session")
    from formcheck.commands import add_patient_args

    add_patient_args(p)


def _add_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="PATH", help="pose_landmarker_{lite,full,heavy}.task "
                   "to use instead of the bundled BlazePose full model")


def _quiet_native_logs(verbose: bool) -> None:
    """OpenCV and FFmpeg print their own warnings for every bad file or missing camera;
    formcheck reports those problems itself, in one line."""
    if not verbose:
        os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_native_logs(args.verbose)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except InputError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        from formcheck.commands import os_error_text

        print(f"formcheck: error: {os_error_text(exc, getattr(args, 'output', None))}",
              file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("formcheck: interrupted; files written so far are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
