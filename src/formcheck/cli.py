"""Command line: wires sources, analysis and sinks together.  The only place that prints
for the user and turns exceptions into exit codes (0 ok, 1 failure, 2 bad input, 130
interrupted)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError, InputError, NoPersonError

EXIT_OK, EXIT_FAILURE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _source_arg(text: str) -> str | int:
    """A camera index ("0") or a path."""
    return int(text) if text.isdigit() else text


def cmd_extract(args: argparse.Namespace) -> int:
    from formcheck.poses import open_poses
    from formcheck.recording import RecordingWriter

    out = Path(args.output)
    with open_poses(args.source, args.model) as stream:
        try:
            with RecordingWriter(out, stream.info, stream.model) as writer:
                for _, pose in stream:
                    writer.write(pose)
        except FormcheckError as exc:
            raise type(exc)(f"{exc}; partial recording of {writer.frames} frames: "
                            f"{out}") from exc
    if stream.detected == 0:
        raise NoPersonError(f"no person found in any of the {stream.frames} frames of "
                            f"{stream.info.name}; make sure the whole body is in view "
                            f"(recording kept: {out})")
    print(f"{out}: {stream.frames} frames, person found in {stream.detected} "
          f"({100.0 * stream.detected / max(stream.frames, 1):.1f} %)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    p.set_defaults(func=cmd_extract)
    return parser


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
        print(f"formcheck: error: {exc.strerror or exc}: {exc.filename or ''}",
              file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("formcheck: interrupted; files written so far are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
