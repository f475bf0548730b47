"""Clinician outputs: HTML report in a real browser, CSV/JSON exports, history, batches."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import rendered_clip
from formcheck.analysis import load_exercise
from formcheck.commands import analyze_input
from formcheck.outputs import History

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def sag_session(extracted, tmp_path_factory):
    """The rendered bridge with a sag, analysed twice into one history."""
    video, truth = rendered_clip("bridge_hold_sag")
    rec = extracted(video)
    root = tmp_path_factory.mktemp("report")
    history = root / "history.sqlite"
    ex = load_exercise("glute_bridge")
    first = analyze_input(rec, ex, root / "first", history_path=history)
    second = analyze_input(rec, ex, root / "second", history_path=history)
    return first, second, history, truth


def test_report_opens_offline_in_chromium(sag_session, tmp_path):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    _, second, _, _ = sag_session
    report = second.files["report"]
    console, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        rep_count = page.inner_text("#rep-count")
        fault_text = page.inner_text("#faults")
        plot_paths = page.locator("#angles-plot svg path").count()
        history_rows = page.locator("#history tr").count()
        browser.close()
    assert [c for c in console if c[0] in ("error", "pageerror")] == []
    assert requests == [report.as_uri()]  # nothing fetched but the page itself
    assert shot.stat().st_size > 50_000
    assert rep_count == "3"
    assert "hips sagging" in fault_text and "Keep your hips up" in fault_text
    assert plot_paths > 10
    assert history_rows == 3  # header + two sessions


def read_csv(path: Path) -> list[dict]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_exports_match_the_engine_result(sag_session):
    first, _, _, truth = sag_session
    doc = json.loads(first.files["results"].read_text())
    result = first.result
    assert doc["format"] == "formcheck-results" and doc["version"] == 1
    prov = doc["provenance"]
    assert prov["exercise_file"] == "glute_bridge.toml" and len(prov["exercise_sha256"]) == 64
    assert prov["model"]["file"] == "pose_landmarker_full_blazepose.task"
    assert prov["source"]["name"] == "bridge_hold_sag.mp4"
    assert doc["summary"]["reps_done"] == len(result.counted_reps) == truth["reps"]["count"]
    assert [f["fault"] for f in doc["faults"]] == ["hips_sagging"]
    event = next(e for e in result.events if e.fault == "hips_sagging")
    assert doc["faults"][0]["start_s"] == pytest.approx(event.start_s, abs=1e-3)
    # the injected sag, from the clip's ground truth: same rep, same interval within 0.3 s
    sag = truth["faults"][0]
    assert doc["faults"][0]["rep"] in sag["reps"]
    assert doc["faults"][0]["start_s"] == pytest.approx(sag["start_s"], abs=0.3)
    assert doc["faults"][0]["end_s"] == pytest.approx(sag["end_s"], abs=0.3)

    frames = read_csv(first.files["frames_csv"])
    assert len(frames) == len(result.frames) == truth["n_frames"]
    columns = frames[0].keys()
    for name in ("t_s", "hip_extension_deg", "knee_flexion_deg", "trunk_to_floor_deg",
                 "state", "active_faults", "hold_s", "visibility",
                 "hip_extension_deg_quality"):
        assert name in columns
    sag_times = [float(r["t_s"]) for r in frames if "hips_sagging" in r["active_faults"]]
    assert sag_times[0] == pytest.approx(event.start_s, abs=0.04)
    assert sag_times[-1] == pytest.approx(event.end_s, abs=0.04)
    final_reps = {int(r["reps"]) for r in frames[-5:]}
    assert final_reps == {3}
    assert all(0.0 <= float(r["visibility"]) <= 1.0 for r in frames)
    row = frames[400]
    assert float(row["hip_extension_deg"]) == pytest.approx(
        result.frames[400].values["hip_extension_deg"], abs=0.01)

    reps = read_csv(first.files["reps_csv"])
    assert [int(r["rep"]) for r in reps] == [r["rep"] for r in doc["reps"]]
    for row, rep in zip(reps, result.reps, strict=True):
        assert float(row["hold_s"]) == pytest.approx(rep.hold_s, abs=1e-3)
        assert float(row["range_hip_extension_deg"]) > 40  # lying to bridge: ~60 deg
    assert "hips_sagging" in reps[1]["faults"]


def test_history_shows_both_sessions_and_a_trend(sag_session):
    first, second, history_path, _ = sag_session
    with History(history_path) as history:
        rows = history.sessions("glute_bridge")
    assert len(rows) == 2
    assert rows[0].reps == rows[1].reps == 3
    html = second.files["report"].read_text()
    assert "Progress across sessions" in html and "Best hold:" in html
    out = subprocess.run([sys.executable, "-m", "formcheck", "history", "--history",
                          str(history_path), "--exercise", "glute_bridge"],
                         capture_output=True, text=True, check=True).stdout
    assert out.count("bridge_hold_sag") == 2 and "trend best hold (s)" in out


def test_batch_reports_a_failed_file_and_finishes_the_others(extracted, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("quadruped_ext_clean", "quadruped_ext_arch"):
        video, _ = rendered_clip(name)
        shutil.copy(extracted(video), inputs / f"{name}.landmarks.jsonl")
    (inputs / "broken.mp4").write_text("not a video")
    proc = subprocess.run([sys.executable, "-m", "formcheck", "analyze", str(inputs), "-e",
                           "quadruped_hip_extension", "-o", str(tmp_path / "out"),
                           "--no-history", "--workers", "2"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "3/3" in proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert "FAILED" in lines["broken.mp4"] and "cannot decode" in lines["broken.mp4"]
    assert lines["quadruped_ext_clean.landmarks.jsonl"].split()[1:3] == ["ok", "5"]
    assert lines["quadruped_ext_arch.landmarks.jsonl"].split()[1:4] == ["ok", "6", "3"]
    assert (tmp_path / "out" / "quadruped_ext_arch" / "report.html").is_file()


def test_skeleton_video_holds_no_patient_pixels(extracted, tmp_path):
    cv2 = pytest.importorskip("cv2")
    video, _ = rendered_clip("quadruped_ext_far_leg")
    out = analyze_input(extracted(video), load_exercise("quadruped_hip_extension"), tmp_path,
                        video="skeleton")
    cap = cv2.VideoCapture(str(out.files["video"]))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 200)
    ok, frame = cap.read()
    cap.release()
    assert ok and count == len(out.result.frames)
    # dark background, green skeleton: no camera image in it
    green = (frame[:, :, 1] > 180) & (frame[:, :, 0] < 150) & (frame[:, :, 2] < 150)
    assert green.sum() > 500
    assert (frame.mean(axis=2) < 40).mean() > 0.7


def test_batch_result_folders_never_collide():
    from formcheck.commands import output_names

    names = output_names([Path("a/clip.mp4"), Path("b/clip.landmarks.jsonl"), Path("c.mp4"),
                          Path("d/clip.mov")])
    assert names == ["clip", "clip-2", "c", "clip-3"]


def test_a_file_that_is_not_a_history_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "history.sqlite"
    bad.write_text("these are notes, not a database\n" * 100)
    proc = subprocess.run([sys.executable, "-m", "formcheck", "history", "--history", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "is not a formcheck history database" in proc.stderr
    assert "--no-history" in proc.stderr
