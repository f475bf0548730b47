"""Outputs: results files, the HTML report and its plots, drawing, video, history and voice."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "VideoSink": "video",
    "CueCaller": "voice",
    "History": "history",
    "QUESTIONS": "rating",
    "RatingKeys": "rating",
    "SessionRow": "history",
    "Speaker": "voice",
    "annotate": "draw",
    "blank_like": "draw",
    "counter_lines": "draw",
    "number_words": "voice",
    "default_history_path": "history",
    "draw_banner": "draw",
    "progress_text": "progress",
    "render_report": "report",
    "rep_rows": "results",
    "results_document": "results",
    "source_titles": "clinical",
    "trend": "history",
    "weekly_adherence": "history",
    "write_session_video": "video",
    "worst_frame_index": "report",
    "write_frames_csv": "results",
    "write_json": "results",
    "write_pdf": "pdf",
    "write_report": "report",
    "write_reps_csv": "results",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
