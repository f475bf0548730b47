"""Shared fixtures.  Real-model tests use the clips in ../shared/clips beside the checkout
and skip with a reason when that folder is absent (a user's fresh clone)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CLIPS = REPO.parent / "shared" / "clips"
RENDERED = SHARED_CLIPS / "rendered"
SAMPLES = REPO / "samples"


def shared_clip(name: str) -> Path:
    path = SHARED_CLIPS / name
    if not path.is_file():
        pytest.skip(f"shared clip {name} not found: ../shared/clips is not beside this "
                    "checkout")
    return path


def cut_video(source: Path, out: Path, first: int, frames: int) -> Path:
    """``frames`` frames of ``source`` from frame ``first``, written as a new video."""
    import cv2

    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.set(cv2.CAP_PROP_POS_FRAMES, first)
    writer = None
    for _ in range(frames):
        ok, image = cap.read()
        assert ok
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                     (image.shape[1], image.shape[0]))
        writer.write(image)
    writer.release()
    cap.release()
    return out


def rendered_clip(name: str, folder: str = "rendered") -> tuple[Path, dict]:
    """A rendered clip (development folder, or ``rendered-train``) and its ground truth."""
    video = shared_clip(f"{folder}/{name}.mp4")
    truth = json.loads(video.with_suffix(".json").read_text())
    return video, truth


@pytest.fixture(scope="session")
def extracted(tmp_path_factory):
    """Runs the real model once per video for the whole run; returns the recording.  The
    test workers share one folder of recordings (the run's temporary root), and a lock per
    video makes a worker that needs a recording another is making wait for it."""
    from filelock import FileLock

    from formcheck.cli import main

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "recordings"

    def get(video: Path) -> Path:
        # a folder per clip folder: the recording keeps the video's name, as tests expect
        folder = root / video.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{video.stem}.landmarks.jsonl"
        with FileLock(folder / f"{video.stem}.lock"):
            if not out.is_file():
                part = folder / f"{video.stem}.part.landmarks.jsonl"
                part.unlink(missing_ok=True)  # left by an extraction that failed
                assert main(["extract", str(video), "-o", str(part)]) == 0
                part.rename(out)
        return out

    return get


@pytest.fixture(scope="module")
def display():
    """A virtual screen (Xvfb) for the live window; its DISPLAY name."""
    # -displayfd: Xvfb picks a free display number and writes it to our pipe when ready
    proc = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    number = proc.stdout.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def recorded(extracted):
    """A shared clip's landmark recording (``rendered/bridge_arch.mp4``): the benchmarks'
    cache of them when present (made with the bundled model), else extracted now."""

    def get(clip: str) -> Path:
        video = shared_clip(clip)
        cached = REPO / "benchmarks" / ".cache" / f"{video.stem}.landmarks.jsonl"
        return cached if cached.is_file() else extracted(video)

    return get
