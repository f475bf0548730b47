"""Exercise files: the catalog loads, and every malformed file is reported with key paths."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import resources

import pytest

from formcheck.analysis import catalog, load_exercise, load_exercise_file
from formcheck.errors import ExerciseError

REQUIRED = {"gluteal_pumps_l1", "gluteal_pumps_l2", "quadruped_hip_extension",
            "side_lying_glute_med", "glute_bridge", "glute_bridge_band", "bird_dog",
            "fire_hydrant", "prone_leg_extension", "clamshell", "single_leg_bridge",
            "single_leg_rdl", "sidelying_abduction"}


def builtin_text(name: str) -> str:
    return (resources.files("formcheck.analysis") / "exercises" / f"{name}.toml").read_text()


def test_catalog_has_the_seed_exercises_each_traced_to_a_seed():
    exercises = catalog()
    assert REQUIRED <= set(exercises)
    for ex in exercises.values():
        assert ex.seed[:3] in {"000", "001", "002", "003", "004"}
        assert ex.seed_quote and ex.setup and ex.camera_text
        assert all(f.cue and f.seed_quote for f in ex.faults)
        assert len(ex.sha256) == 64


def test_doses_quoted_from_the_seeds():
    ex = catalog()
    assert (ex["glute_bridge"].dose.hold_s, ex["glute_bridge"].dose.reps) == (60.0, 5)
    assert (ex["glute_bridge"].dose.rest_min_s, ex["glute_bridge"].dose.rest_max_s) == (30, 60)
    assert ex["side_lying_glute_med"].dose.final_hold_s == 10.0
    assert ex["side_lying_glute_med"].dose.sets == 3
    assert (ex["gluteal_pumps_l1"].dose.reps, ex["gluteal_pumps_l1"].dose.reps_max) == (5, 10)


def write(tmp_path, text: str):
    path = tmp_path / "custom.toml"
    path.write_text(text)
    return path


def test_a_copied_file_with_a_changed_threshold_loads(tmp_path):
    text = builtin_text("quadruped_hip_extension").replace("above = 15.0", "above = 12.0")
    ex = load_exercise(str(write(tmp_path, text)))
    assert ex.faults[0].above == 12.0
    assert ex.sha256 != catalog()["quadruped_hip_extension"].sha256


@pytest.mark.parametrize("change,messages", [
    (("above = 15.0", 'above = "ninety"'),
     ["faults[0].above: expected a number, got 'ninety'"]),
    (("min_rep_s = 0.5", "min_rep_s = 0.5\nspeed = 3"), ["movement.speed: unknown key"]),
    (('signal = "hip_extension_deg"', 'signal = "lumbar_deg"'),
     ["movement.signal: unknown feature 'lumbar_deg'"]),
    (('rule = "outside"', 'rule = "sometimes"'),
     ["faults[2].rule: expected one of above, below"]),
    (('camera = "side"', 'camera = "above"'), ["camera: expected one of side, front"]),
    (('name = "quadruped_hip_extension"\n', ""), ["name: missing"]),
    (("[movement]", "[motion]"), ["movement: missing", "motion: unknown key"]),
    (('unless = "back_arching"', 'unless = "back_sagging"'),
     ["faults[5].unless: 'back_sagging' is not a fault listed before this one"]),
])
def test_malformed_files_name_the_key(tmp_path, change, messages):
    old, new = change
    text = builtin_text("quadruped_hip_extension")
    assert old in text
    with pytest.raises(ExerciseError) as info:
        load_exercise_file(write(tmp_path, text.replace(old, new, 1)))
    for message in messages:
        assert message in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path):
    text = (builtin_text("glute_bridge").replace("hold_s = 60.0", 'hold_s = "a minute"')
            .replace('severity = "warning"', 'severity = "dire"', 1)
            .replace("above = 19.0", "abov = 19.0", 1))
    with pytest.raises(ExerciseError) as info:
        load_exercise_file(write(tmp_path, text))
    msg = str(info.value)
    assert "dose.hold_s: expected a number, got 'a minute'" in msg
    assert "faults[0].abov: unknown key" in msg
    assert msg.startswith("custom.toml: ")


def test_fault_needs_its_threshold_and_cue(tmp_path):
    text = re.sub(r"^above = 15.0.*\n", "", builtin_text("quadruped_hip_extension"), count=1,
                  flags=re.M)
    text = text.replace('cue = "Keep your back still: don\'t let it tilt as the leg rises."\n',
                        "", 1)
    with pytest.raises(ExerciseError) as info:
        load_exercise_file(write(tmp_path, text))
    assert "faults[0].above: missing (rule 'above' needs it)" in str(info.value)
    assert "faults[1].cue: missing" in str(info.value)


def test_not_toml(tmp_path):
    with pytest.raises(ExerciseError, match="custom.toml is not valid TOML"):
        load_exercise_file(write(tmp_path, "name = [unclosed\n"))


def test_unknown_name_lists_the_catalog():
    with pytest.raises(ExerciseError, match="unknown exercise 'plank'.*glute_bridge"):
        load_exercise("plank")


def test_cli_reports_malformed_file_with_exit_2(tmp_path):
    path = write(tmp_path, builtin_text("bird_dog").replace("amount = 8.0", "amount = []"))
    rec = tmp_path / "x.landmarks.jsonl"
    rec.write_text("")
    proc = subprocess.run([sys.executable, "-m", "formcheck", "analyze", str(rec), "-e",
                           str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "faults[1].amount: expected a number, got []" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_shipped_files_parse_as_plain_toml():
    for entry in (resources.files("formcheck.analysis") / "exercises").iterdir():
        if entry.name.endswith(".toml"):
            assert "name" in tomllib.loads(entry.read_text())


def test_exercises_command_lists_and_shows():
    out = subprocess.run([sys.executable, "-m", "formcheck", "exercises"], capture_output=True,
                         text=True, check=True).stdout
    assert all(name in out for name in REQUIRED)
    show = subprocess.run([sys.executable, "-m", "formcheck", "exercises", "show",
                           "glute_bridge"], capture_output=True, text=True, check=True).stdout
    assert "Hold for 60 seconds" in show and "Use your bottom, not your back" in show
    assert "Camera: side view" in show


def test_short_aliases_and_did_you_mean_for_a_typo():
    assert load_exercise("bridge").name == "glute_bridge"
    assert load_exercise("Donkey-Kick").name == "quadruped_hip_extension"
    assert load_exercise("clamshell").name == "clamshell"
    with pytest.raises(ExerciseError, match="did you mean glute_bridge"):
        load_exercise("glute_brige")
