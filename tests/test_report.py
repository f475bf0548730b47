"""Clinician outputs: HTML report in a real browser, CSV/JSON exports, history, batches."""

from __future__ import annotations

import csv
import json
import re
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
    """The rendered bridge with a sag, analysed twice for one patient (the second time with
    a skeleton video and a PDF), after two earlier sessions of that patient, one per side."""
    video, truth = rendered_clip("bridge_hold_sag")
    rec = extracted(video)
    root = tmp_path_factory.mktemp("report")
    history = root / "history.sqlite"
    with History(history) as h:
        for day, side, hold in ((1, "left", 5.0), (2, "right", 7.5)):
            h.add({"patient": "p01", "side": side, "exercise": {
                "name": "glute_bridge", "signal": "hip_extension_deg"},
                "provenance": {"source": {"name": f"earlier-{side}.mp4", "sha256": side,
                                          "recorded_utc": f"2020-01-0{day}T09:00:00+00:00"}},
                "summary": {"reps_done": 2, "sets_done": 1, "holds_s": [hold]},
                "reps": [{"kind": "rep", "range_hip_extension_deg": 40.0}] * 2,
                "faults": []}, "analyze", "")
    ex = load_exercise("glute_bridge")
    first = analyze_input(rec, ex, root / "first", history_path=history, patient="p01")
    second = analyze_input(rec, ex, root / "second", history_path=history, patient="p01",
                           video="skeleton", pdf=CHROMIUM is not None)
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
        rep_count = page.inner_text("#dose tr:nth-child(2) td:nth-child(2)")
        fault_text = page.inner_text("#faults")
        plot_paths = page.locator("#angles-plot svg path").count()
        history_rows = page.locator("#history tr").count()
        browser.close()
    assert [c for c in console if c[0] in ("error", "pageerror")] == []
    # nothing fetched but the page itself and the session's video beside it
    assert requests[0] == report.as_uri()
    assert set(requests[1:]) <= {second.files["video"].as_uri()}
    assert shot.stat().st_size > 50_000
    assert rep_count == "3"
    assert "hips sagging" in fault_text.lower() and "Keep your hips up" in fault_text
    assert plot_paths > 10
    assert history_rows == 4  # header + the two earlier sessions + this one


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


def test_history_keeps_one_row_per_source_and_trends_each_side(sag_session):
    first, second, history_path, _ = sag_session
    with History(history_path) as history:
        rows = history.sessions("glute_bridge", "p01")
    assert [(r.side, r.number) for r in rows] == [("left", 1), ("right", 1), ("left", 2)]
    assert rows[-1].reps == 3 and rows[-1].source == "bridge_hold_sag.mp4"
    html = second.files["report"].read_text()
    assert "This patient's sessions" in html and "Longest hold (s)" in html
    assert 'id="symmetry"' in html and 'id="trends"' in html
    out = subprocess.run([sys.executable, "-m", "formcheck", "history", "--history",
                          str(history_path), "--exercise", "glute_bridge"],
                         capture_output=True, text=True, check=True).stdout
    assert out.count("bridge_hold_sag") == 1
    left = [r.best_hold_s for r in rows if r.side == "left"]
    assert (f"trend p01 glute_bridge left side, best hold (s): {left[0]:.1f} -> "
            f"{left[-1]:.1f}") in out


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


# --- the report in Chromium: summary, layout at desktop and phone widths, PDF, video ---

def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--autoplay-policy=no-user-gesture-required"])


@pytest.fixture
def page_at():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = _browser(p)

        def open_at(path: Path, width: int):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            return page

        yield open_at
        browser.close()


SUMMARY = re.compile(r"^(\d+) of (\d+) holds done, longest ([\d.]+) s of (\d+) s; "
                     r"hips sagging in hold (\d+) for ([\d.]+) s, by (\d+)°\.$")


def test_summary_sentence_comes_first_and_agrees_with_results_json(sag_session, page_at):
    _, second, _, _ = sag_session
    doc = json.loads(second.files["results"].read_text())
    page = page_at(second.files["report"], 1280)
    first_text = page.evaluate("document.querySelector('h1').nextElementSibling"
                               ".nextElementSibling.id")
    m = SUMMARY.match(page.inner_text("#summary").strip())
    assert first_text == "summary" and m, page.inner_text("#summary")
    s, (fault,) = doc["summary"], doc["faults"]
    assert int(m[1]) == s["reps_done"] and int(m[2]) == s["reps_target"]
    assert m[3] == f"{max(s['holds_s']):.1f}" and int(m[4]) == s["hold_target_s"]
    assert int(m[5]) == fault["rep"]
    assert m[6] == f"{fault['end_s'] - fault['start_s']:.1f}"
    # the depth below the hold's own top level, recorded with the fault
    assert int(m[7]) == round(fault["baseline_value"] - fault["peak_value"])
    assert 15 <= int(m[7]) <= 35  # the clip's injected sag is 20 degrees
    assert fault["threshold"] == pytest.approx(fault["baseline_value"] - 10.0, abs=0.01)
    assert fault["grade"] == "moderate" and fault["units"] == "deg"  # 5-15 deg past it
    assert page.inner_text("#fault-hips_sagging .sev") == "moderate"


def test_no_horizontal_scroll_at_1280_px(sag_session, page_at):
    page = page_at(sag_session[1].files["report"], 1280)
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 1280
    # the per-rep table is whole on screen: its last column is inside the page
    right = page.evaluate("document.querySelector('#reps th:last-child')"
                          ".getBoundingClientRect().right")
    assert right <= 1280


OVERFLOWING = """() => [...document.body.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest('svg')) return false;
    return r.right > window.innerWidth + 0.5 || el.scrollWidth > el.clientWidth + 1
        && getComputedStyle(el).overflowX === 'visible' && el.clientWidth > 0;
}).map(el => el.tagName + '#' + el.id + '.' + el.className)"""


def test_no_text_overflows_on_a_390_px_phone(sag_session, page_at):
    page = page_at(sag_session[1].files["report"], 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(OVERFLOWING) == []
    # the per-rep table reads as one card per hold, each cell labelled
    assert page.evaluate("getComputedStyle(document.querySelector('#reps td')).display") \
        == "block"


def test_pdf_pages_hold_the_whole_per_rep_table(sag_session, tmp_path):
    if CHROMIUM is None or shutil.which("pdftoppm") is None:
        pytest.skip("needs Chromium and poppler-utils (.ci/run installs both)")
    cv2 = pytest.importorskip("cv2")
    _, second, _, _ = sag_session
    pdf = second.files["pdf"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert 1 <= len(pages) <= 4
    for path in pages:
        img = cv2.imread(str(path))
        h, w = img.shape[:2]
        assert w < h  # A4 portrait
        assert (img.min(axis=2) < 200).mean() > 0.02, f"{path.name} is (nearly) blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    doc = json.loads(second.files["results"].read_text())
    for title in ("Hold", "Starts at", "Held at", "Peak hip", "Range hip", "Faults"):
        assert title in text  # headers may wrap within their columns
    # the table is on one page, its header with it
    (page_text,) = [t for t in text.split("\f") if "Held at" in t]
    lines = page_text.splitlines()
    for rep in doc["reps"]:
        faults = ", ".join(f.replace("_", " ") for f in rep["faults"]) or "none"
        row = [ln for ln in lines if f"{rep['start_s']:.1f}" in ln and f"{rep['hold_s']:.1f}"
               in ln and faults.split()[0] in ln]  # a long fault name may wrap
        assert row, f"rep {rep['rep']} is not whole in the PDF"
    assert "scroll" not in text.lower()


def test_the_embedded_h264_video_plays(sag_session, page_at):
    _, second, _, _ = sag_session
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                            "-show_entries", "stream=codec_name,pix_fmt", "-of", "csv=p=0",
                            str(second.files["video"])], capture_output=True, text=True)
    assert probe.stdout.strip() == "h264,yuv420p"
    page = page_at(second.files["report"], 1280)
    page.evaluate("() => { const v = document.querySelector('#video'); v.muted = true; "
                  "return v.play(); }")
    page.wait_for_function("() => document.querySelector('#video').currentTime > 0.2",
                           timeout=20_000)
    state = page.evaluate("() => { const v = document.querySelector('#video'); "
                          "return [v.readyState, v.duration, v.error && v.error.code]; }")
    assert state[0] >= 2 and state[1] > 30 and state[2] is None
    # each fault links to its moment in the video
    href = page.get_attribute("#fault-hips_sagging a[href*='#t=']", "href")
    fault = json.loads(second.files["results"].read_text())["faults"][0]
    assert href == f"{second.files['video'].name}#t={fault['start_s']:.1f}"


def test_the_session_video_draws_its_text_smaller_than_the_live_window():
    """The video is watched up close in the report: counters and banner at 0.55 of the
    live size (read from two metres), so they do not hide the body."""
    import numpy as np

    from formcheck.outputs.draw import blank_like, draw_panel
    from formcheck.outputs.video import REVIEW_TEXT_SCALE

    ex = load_exercise("glute_bridge")
    sizes = []
    for scale in (1.0, REVIEW_TEXT_SCALE):
        img = draw_panel(blank_like(960, 540), None, ex, text_scale=scale)
        rows, cols = np.nonzero((img != 24).any(axis=2))
        sizes.append((rows.max() + 1, cols.max() + 1))
    (live_h, live_w), (review_h, review_w) = sizes
    assert review_h / live_h == pytest.approx(0.55, abs=0.05)
    assert review_w / live_w == pytest.approx(0.55, abs=0.08)
    assert review_h < 0.15 * 540  # the panel keeps to the top corner
