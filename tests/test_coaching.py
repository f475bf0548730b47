"""Live coaching without a display: the dip rule while it happens, an input ending mid-lift,
the dose's sets, the too-slow watch and the plain-word summary against the last session."""

from __future__ import annotations

import pytest
from test_engine_synthetic import JITTER_M, Script, analyse

from formcheck.analysis import Engine, Rep, catalog, run_session
from formcheck.analysis.exercise import Dose
from formcheck.commands.coaching import SLOW_WINDOW_S, SlowWatch, sets_done, summary_lines
from formcheck.outputs import History, results_document


def bridge_with_sag(sag_deg: float = 25.0, sag_s: float = 2.0) -> tuple[Script, float, float]:
    """Lying, a bridge held with a sag in the middle, lowered; (script, sag start, end)."""
    s = Script(catalog()["glute_bridge"])
    s.hold(1.5, s.low)
    s.move(1.0, s.low, s.high)
    s.hold(3.0, s.high)
    start = s.t
    s.move(0.3, s.high, s.high - sag_deg)
    s.hold(sag_s, s.high - sag_deg)
    s.move(0.3, s.high - sag_deg, s.high)
    end = s.t
    s.hold(3.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(2.0, s.low)
    return s, start, end


def test_a_sag_is_active_while_it_happens_and_the_lowering_is_not_a_sag():
    s, start, end = bridge_with_sag()
    result = analyse(s.ex, s.frames(jitter_m=JITTER_M))
    active = [f.t_s for f in result.frames if "hips_sagging" in f.active_faults]
    assert active, "the sag was never active while it happened"
    # confirmed within a second of its start, and never after it ended (not the lowering)
    assert start < active[0] < start + 1.0
    assert active[-1] <= end + 0.3
    [event] = [e for e in result.events if e.fault == "hips_sagging"]
    assert event.start_s == pytest.approx(start, abs=0.3)
    assert event.end_s == pytest.approx(end, abs=0.3)
    assert len(result.counted_reps) == 1


def _ending_at_the_top() -> Script:
    s = Script(catalog()["quadruped_hip_extension"])
    s.hold(1.5, s.low)
    s.rep()
    s.move(1.0, s.low, s.high)
    s.hold(1.0, s.high)  # ends at the top
    return s


def test_a_live_session_ending_at_the_top_does_not_count_the_rep_and_says_so():
    s = _ending_at_the_top()
    result = analyse(s.ex, s.frames(jitter_m=JITTER_M))
    assert len(result.counted_reps) == 1
    notes = [e for e in result.events if e.fault == "incomplete_rep"]
    assert len(notes) == 1 and notes[0].kind == "dose"
    assert "Incomplete rep" in summary_lines([result])[-1]


def test_a_recording_cut_at_the_top_counts_the_rep_without_judging_its_lowering():
    s = _ending_at_the_top()
    result = run_session(((None, f) for f in s.frames(jitter_m=JITTER_M)),
                         Engine(s.ex, recorded=True))
    assert len(result.counted_reps) == 2
    assert result.counted_reps[1].hold_s == pytest.approx(1.0, abs=0.2)
    assert [e.fault for e in result.events if e.kind == "dose"] == ["cut_at_top"]
    assert "rep 2" in result.events[-1].cue and "not filmed" in result.events[-1].cue


def test_sets_done_counts_sets_with_the_dose_and_its_final_hold():
    def rep(n, set_, kind="rep"):
        return Rep(n, set_, 0.0, kind=kind)

    dose = Dose(reps=2, sets=2, final_hold_s=10.0)
    reps = [rep(1, 1), rep(2, 1)]
    assert sets_done(reps, dose) == 0  # the final hold is still to do
    reps.append(rep(3, 1, "final_hold"))
    assert sets_done(reps, dose) == 1
    reps += [rep(4, 2), rep(5, 2), rep(6, 2, "final_hold")]
    assert sets_done(reps, dose) == 2
    assert sets_done([rep(1, 1)], Dose(reps=0)) == 0  # no dose of reps: never done


def test_too_slow_after_a_few_seconds_of_many_dropped_frames():
    watch = SlowWatch()
    shown = dropped = 0
    became = []
    for i in range(300):  # 10 s at 30 frames offered a second
        t = i / 30
        slow = 3.0 < t < 8.0
        if slow and i % 3 == 0:
            dropped += 1  # a third of the frames dropped
        else:
            shown += 1
        if watch.update(t, dropped, shown):
            became.append(t)
    assert len(became) == 1 and 3.0 + SLOW_WINDOW_S / 4 < became[0] < 3.0 + SLOW_WINDOW_S
    assert watch.ever and not watch.now  # fine again at the end
    assert (watch.dropped, watch.shown) == (dropped, shown)


def test_summary_in_plain_words_compared_with_the_last_session(tmp_path):
    from formcheck.capture import SourceInfo

    info = SourceInfo(name="synthetic", kind="video", width_px=1280, height_px=720, fps=30.0,
                      frame_count=0)
    s, _, _ = bridge_with_sag()
    first = analyse(s.ex, s.frames(jitter_m=JITTER_M))
    longer = Script(s.ex)
    longer.hold(1.5, longer.low)
    longer.rep(top_s=12.0)
    second = analyse(s.ex, longer.frames(jitter_m=JITTER_M))
    with History(tmp_path / "h.sqlite") as history:
        history.add(results_document(first, info, None), "live", "first")
        last = {r.side: r for r in history.sessions("glute_bridge")}
    before = max(h.hold_s for h in first.holds)
    now = max(h.hold_s for h in second.holds)
    assert round(now - before) > 0
    [line] = summary_lines([second], last)
    assert line == (f"Both sides: 1 hold; longest hold {now:.0f} s, {round(now - before)} s "
                    "more than last time. Good form.")
    [line] = summary_lines([first])
    assert line.endswith("Watch: Hips up in hold 1.")
    for word in ("hips_sagging", "top", "down", "ready", "seed"):
        assert word not in line


def said(ex, result, tmp_path) -> list[tuple[float, str]]:
    """What the cue caller says for an analysed session (no speech engine: each phrase is
    logged as it is asked for)."""
    from formcheck.outputs import CueCaller, Speaker

    log = tmp_path / "cues.log"
    log.unlink(missing_ok=True)
    speaker = Speaker(enabled=False, log_path=log)
    caller = CueCaller(speaker, ex)
    for frame in result.frames:
        caller.on_result(frame)
    speaker.close()
    return [(float(t), p) for t, _, p in (x.split("\t") for x in log.read_text().splitlines())]


def test_rest_over_after_the_doses_rest(tmp_path):
    ex = catalog()["glute_bridge"]  # rest 30-60 s
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep(top_s=3.0)
    rest_from = s.t - 1.0 - 0.3  # the hips pass the start threshold on the way down
    s.hold(33.0, s.low)
    phrases = said(ex, analyse(ex, s.frames(jitter_m=JITTER_M)), tmp_path)
    [(t, _)] = [(t, p) for t, p in phrases if p == "Rest over, next one"]
    assert t == pytest.approx(rest_from + ex.dose.rest_min_s, abs=0.5)
    assert [p for _, p in phrases].index("one. Rest") < [p for _, p in phrases].index(
        "Rest over, next one")


def test_side_lying_final_hold_is_coached_and_counted_down(tmp_path):
    ex = catalog()["side_lying_glute_med"]  # final hold 10 s
    s = Script(ex)
    s.hold(1.5, s.low)
    s.rep()
    s.move(1.0, s.low, s.high)
    s.hold(11.0, s.high)
    s.move(1.0, s.high, s.low)
    s.hold(1.5, s.low)
    result = analyse(ex, s.frames(jitter_m=JITTER_M))
    assert [r.kind for r in result.holds] == ["final_hold"]
    phrases = [p for _, p in said(ex, result, tmp_path)]
    assert phrases[-8:] == ["one", "Hold", "five", "four", "three", "two", "one",
                            "and lower. Rest"]


def test_a_fault_recurring_on_each_rep_is_cued_each_time(tmp_path):
    ex = catalog()["glute_bridge"]
    s = Script(ex)
    s.hold(1.5, s.low)
    starts = []
    for _ in range(3):  # three short holds, each with a sag, 4.5 s apart
        s.move(1.0, s.low, s.high)
        s.hold(1.0, s.high)
        starts.append(s.t)
        s.move(0.3, s.high, s.high - 25.0)
        s.hold(1.0, s.high - 25.0)
        s.move(0.3, s.high - 25.0, s.high)
        s.move(1.0, s.high, s.low)
        s.hold(1.0, s.low)
    phrases = said(ex, analyse(ex, s.frames(jitter_m=JITTER_M)), tmp_path)
    sags = [t for t, p in phrases if p == "Hips up"]
    assert len(sags) == 3
    for t, start in zip(sags, starts, strict=True):
        assert start < t < start + 1.0


def test_a_programme_file_is_validated_with_every_problem_at_once(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text('titel = "x"\n[[exercise]]\nname = "brige"\nreps = "five"\n'
                   '[[exercise]]\nreps = 2\nside = "up"\n')
    proc = subprocess.run([sys.executable, "-m", "formcheck", "live", "--program", str(bad),
                           "--no-history"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [line] = proc.stderr.strip().splitlines()
    for problem in ("titel: unknown key", "did you mean glute_bridge",
                    "exercise[0].reps: expected a number", "exercise[1].name: missing",
                    "exercise[1].side: expected left or right"):
        assert problem in line
    assert line.startswith("formcheck: error: bad.toml: 5 problem(s) in the programme file")


def _rate(*presses: tuple[str, float], until_s: float = 10.0):
    """Key presses (key, time s) into one rating; its value, whether done, and stop."""
    from formcheck.outputs import RatingKeys

    keys = RatingKeys()
    for key, t in presses:
        keys.key(ord(key) if len(key) == 1 else int(key), t)
    keys.tick(until_s)
    return keys.value, keys.done, keys.stop


@pytest.mark.parametrize(("presses", "expected"), [
    ((("7", 1.0),), (7, True, False)),
    ((("0", 1.0),), (0, True, False)),
    ((("1", 1.0), ("0", 2.5)), (10, True, False)),  # 1 then 0 within 2 s: ten
    ((("1", 1.0),), (1, True, False)),  # 1 alone: one, once the wait for a 0 is over
    ((("1", 1.0), ("0", 3.5)), (1, True, False)),  # the 0 came too late: the 1 stands
    ((("1", 1.0), ("4", 1.5)), (4, True, False)),  # another number corrects the 1
    ((("s", 1.0),), (None, True, False)),  # skipped
    ((("q", 1.0),), (None, True, True)),  # skip them all
    ((("x", 1.0), ("255", 2.0)), (None, False, False)),  # other keys, no key: still asking
])
def test_a_rating_from_key_presses(presses, expected):
    assert _rate(*presses) == expected


def test_a_lone_1_waits_for_a_possible_0():
    from formcheck.outputs import RatingKeys
    from formcheck.outputs.rating import TEN_WAIT_S

    keys = RatingKeys()
    keys.key(ord("1"), 5.0)
    keys.tick(5.0 + TEN_WAIT_S - 0.1)
    assert (keys.done, keys.pending) == (False, True)
    keys.tick(5.0 + TEN_WAIT_S)
    assert (keys.done, keys.value) == (True, 1)


def test_live_counts_against_the_prescription_and_the_command_line_overrides_it():
    """Exercise file < the patient's prescription < --reps/--sets/--hold-s (or the
    programme's values), and the words shown and said name where the dose came from."""
    from formcheck.analysis import Prescribed, Prescription, load_exercise
    from formcheck.commands.program import _dosed

    bridge = load_exercise("glute_bridge")
    assert (bridge.dose.reps, bridge.dose.hold_s) == (5, 60.0)  # the file's
    rx = Prescription("p01", (Prescribed("glute_bridge", reps=3, sets=2, hold_s=20.0,
                                         rest_min_s=30.0, rest_max_s=45.0),
                              Prescribed("clamshell", reps=12, sides="right")))
    ex, side, line = _dosed(bridge, rx, (None, None, None), None, "Your dose today")
    assert (ex.dose.reps, ex.dose.sets, ex.dose.hold_s, ex.dose.prescribed, side) == \
        (3, 2, 20.0, True, None)
    assert line == ("Your prescription: 3 holds of 20 seconds, 2 sets, rest 30 to 45 "
                    "seconds between holds.")
    ex, _, line = _dosed(bridge, rx, (1, None, None), None, "Your dose today")
    assert (ex.dose.reps, ex.dose.sets, ex.dose.hold_s) == (1, 2, 20.0)
    assert line.startswith("Your dose today: 1 hold of 20 seconds, 2 sets")
    # a one-sided exercise prescribed for one side is coached on that side only
    ex, side, line = _dosed(load_exercise("clamshell"), rx, (None,) * 3, None, "")
    assert (ex.dose.reps, side) == (12, "right")
    assert line == "Your prescription: 12 reps, right side only."
    # no prescription for this exercise: the file's dose
    ex, side, line = _dosed(load_exercise("bird_dog"), rx, (None,) * 3, None, "")
    assert ex == load_exercise("bird_dog") and line.startswith("Today: ")


def test_too_slow_names_the_model_in_use_and_what_to_do():
    from formcheck.capture.model import BUNDLED_MODEL_NAME
    from formcheck.commands.coaching import too_slow_note, too_slow_status

    full = {"file": BUNDLED_MODEL_NAME, "sha256": "x"}
    note = too_slow_note(full)
    assert note.startswith("This computer is too slow: close other programs")
    assert BUNDLED_MODEL_NAME in note and "pose_landmarker_lite.task with --model" in note
    assert too_slow_status(full).endswith("(pose model: full)")
    lite = {"file": "pose_landmarker_lite.task"}
    assert "already the lightest" in too_slow_note(lite)
    assert too_slow_status(lite).endswith("(pose model: lite)")
