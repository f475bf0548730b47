"""Validation: scoring formcheck against rendered clips' exact ground truth."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "ClipScore": "scoring",
    "ErrorStats": "groundtruth",
    "FAULT_KIND_WORDS": "scoring",
    "FEATURE_TRUTH": "groundtruth",
    "expected_side": "groundtruth",
    "feature_errors": "groundtruth",
    "load_truth": "groundtruth",
    "measure_clip": "groundtruth",
    "poses_from_truth": "groundtruth",
    "score_clip": "groundtruth",
    "timing_errors": "timing",
    "timing_header": "timing",
    "timing_line": "timing",
    "pooled": "timing",
    "totals": "scoring",
    "truth_series": "groundtruth",
    "truth_view": "groundtruth",
    "score_document": "scoring",
    "is_possible": "scoring",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
