"""Analysis: exercise files, the engine (side and facing, rep machine, pumps, fault rules) and
per-rep measurement."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "Dose": "exercise",
    "Drawing": "exercise",
    "FIGURE_HEAD_RADIUS": "drawing",
    "figure_angles": "drawing",
    "figure_points": "drawing",
    "Engine": "engine",
    "Exercise": "exercise",
    "FrameResult": "records",
    "Rep": "records",
    "HoldSettings": "tremor",
    "ShakeWatch": "tremor",
    "default_hold_settings": "tremor",
    "hold_quality": "hold_quality",
    "progression_advice": "progression",
    "summary_from_results": "progression",
    "SessionSummary": "progression",
    "SessionResult": "records",
    "Prescribed": "prescription",
    "Prescription": "prescription",
    "catalog": "exercise",
    "check_frame_rate": "limits",
    "dose_text": "prescription",
    "load_prescription": "prescription",
    "load_exercise": "exercise",
    "load_exercise_file": "exercise",
    "measure_recorded": "measure",
    "measure_session": "measure",
    "parse_prescription": "prescription",
    "prescribed_exercise": "prescription",
    "prescription_toml": "prescription",
    "run_session": "session",
    "with_dose": "dose",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
