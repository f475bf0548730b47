"""Commands: analyze, live and batch, each from inputs to written outputs."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "LiveOptions": "live",
    "ProgressText": "text",
    "analyze_input": "analyze",
    "batch_summary": "text",
    "batch_table": "text",
    "describe_exercise": "text",
    "expand_inputs": "batch",
    "format_summary": "text",
    "history_table": "text",
    "load_program": "program",
    "os_error_text": "text",
    "program_summary": "program",
    "run_program": "program",
    "output_names": "batch",
    "run_batch": "batch",
    "run_exercise_or_program": "program",
    "run_live": "live",
    "summary_lines": "coaching",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
