"""Features: geometry, the named per-frame features of a pose, and their smoothing."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "DEFAULT_MIN_QUALITY": "named",
    "Features": "named",
    "LandmarkSeries": "named",
    "OneEuroFilter": "smoothing",
    "SIDES": "named",
    "SPEC_BY_NAME": "named",
    "SmoothingParams": "smoothing",
    "anterior_sign_per_frame": "named",
    "choose_working_side": "named",
    "compute_features": "named",
    "consensus_sign": "named",
    "default_smoothing": "settings",
    "fill_gaps": "smoothing",
    "joint_flexion_deg": "geometry",
    "landmarks_for": "named",
    "moving_side": "named",
    "nearer_side": "named",
    "other": "named",
    "reject_outliers": "smoothing",
    "robust_sd": "smoothing",
    "smooth_recorded": "smoothing",
    "smoothing_with": "settings",
    "thigh_angle_deg": "named",
    "zero_phase_lowpass": "smoothing",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
