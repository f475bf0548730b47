"""Hold quality: known answers on synthetic landmark series (an injected oscillation of known
amplitude, frequency and onset over MediaPipe-like jitter; a slow sag of known rate), and
the real model on a rendered clip with an injected hip sag and no shaking."""

from __future__ import annotations

import json

import pytest

from conftest import rendered_clip
from formcheck.analysis import (
    Engine,
    hold_quality,
    load_exercise,
    measure_session,
    run_session,
)
from formcheck.capture import RecordingReader
from synth import bridge_hold, shaken

BRIDGE = load_exercise("glute_bridge")
STILL = bridge_hold()


def _holds(frames):
    result = run_session(((None, p) for p in frames), Engine(BRIDGE))
    feats, _ = measure_session(result, frames)
    return list(hold_quality(result, frames, feats).values())


@pytest.mark.parametrize(("freq_hz", "band"), [(5.0, "3-7 Hz"), (10.0, "8-12 Hz")])
def test_injected_oscillation_found_with_its_band_and_onset(freq_hz, band):
    # 0.03 thigh lengths: about 1.3 cm at the hip of a 45 cm thigh
    frames, onset = shaken(STILL, amp_thigh=0.03, freq_hz=freq_hz, seed=3)
    (hold,) = _holds(frames)
    assert hold["shake_band"] == band
    assert hold["shaking_from_s"] == pytest.approx(onset, abs=0.5)
    assert hold["fatigue_from_s"] == pytest.approx(onset, abs=0.75)
    assert hold["reliable"]


@pytest.mark.parametrize("seed", range(5))
def test_jitter_alone_stays_quiet(seed):
    (hold,) = _holds(shaken(STILL, amp_thigh=0.0, seed=seed)[0])
    assert hold["shaking_from_s"] is None
    assert hold["fatigue_from_s"] is None
    assert hold["sag_from_s"] is None
    assert hold["shake_index"] < 3.0  # the hold's jitter is the rest's


def test_slow_sag_found_with_its_rate_and_onset():
    sagging = bridge_hold(hold_s=30.0, sag_deg_s=0.6, sag_from_in_hold_s=12.0)
    hold_start = sagging.hold_start_s
    (hold,) = _holds(shaken(sagging, seed=1)[0])
    assert hold["sag_deg_s"] == pytest.approx(0.6, abs=0.15)
    assert hold["sag_from_s"] == pytest.approx(hold_start + 12.0, abs=2.0)
    assert not hold["sag_recovered"]
    assert hold["fatigue_from_s"] == hold["sag_from_s"]
    assert hold["shaking_from_s"] is None


def test_rendered_sag_found_and_no_shaking_in_any_hold(extracted):
    video, truth = rendered_clip("bridge_hold_sag")
    poses = list(RecordingReader(extracted(video)))
    holds = _holds(poses)
    assert len(holds) == truth["holds"]["count"]
    assert all(h["shaking_from_s"] is None for h in holds)
    (sag,) = [f for f in truth["faults"] if f["type"] == "hip_sag"]
    sagged = [h for h in holds if h["sag_from_s"] is not None]
    assert len(sagged) == 1
    assert sagged[0]["start_s"] <= sag["start_s"] <= sagged[0]["end_s"]
    assert sagged[0]["sag_from_s"] == pytest.approx(sag["onset_frame"] / truth["fps"], abs=0.3)
    # 20 deg in about 0.4 s (truth: 10 deg at 20.4 s, 19.4 at 20.6 s)
    assert sagged[0]["sag_deg_s"] > 20.0
    assert sagged[0]["sag_recovered"]
    assert sagged[0]["first_break_s"] is not None
    assert all(h["reliable"] for h in holds)


def test_live_says_once_when_shaking_starts_in_a_hold_to_fatigue(tmp_path):
    from formcheck.capture import RecordingWriter, SourceInfo
    from formcheck.commands import LiveOptions, run_live
    from synth import H, W

    frames, onset = shaken(bridge_hold(hold_s=10.0, rest_s=5.0), amp_thigh=0.03,
                           onset_in_hold_s=4.0, seed=2)
    recording = tmp_path / "shaky.landmarks.jsonl"
    with RecordingWriter(recording, SourceInfo("shaky.mp4", "video", W, H, 30.0, len(frames)),
                         None) as writer:
        for frame in frames:
            writer.write(frame)
    assert BRIDGE.hold_to_fatigue
    out = tmp_path / "live"
    run_live(LiveOptions(BRIDGE, str(recording), out, voice=False, window=False))
    log = [line.split("\t") for line in (out / "cues.log").read_text().splitlines()]
    said = [(float(t), phrase) for t, key, phrase in log if key == "shaking"]
    assert len(said) == 1
    assert said[0][1] == "You're shaking: hold on if you can."
    # a 2 s window, then shaking held for 1 s: said within 3 s of the onset
    assert onset < said[0][0] < onset + 3.0
    doc = json.loads((out / "results.json").read_text())
    (shaking,) = [f for f in doc["faults"] if f["fault"] == "shaking"]
    assert shaking["start_s"] == pytest.approx(onset, abs=0.5)
    assert shaking["band"] == "3-7 Hz" and shaking["kind"] == "fatigue"
