"""Commands: analyze, live and batch, each from inputs to written outputs."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "LiveOptions": "live",
    "ProgressText": "text",
    "analyze_input": "analyze",
    "add_clinic_parsers": "clinic",
    "add_patient_args": "clinic",
    "apply_prescription": "clinic",
    "batch_summary": "text",
    "batch_table": "text",
    "describe_exercise": "text",
    "exercise_for_patient": "clinic",
    "expand_inputs": "batch",
    "format_summary": "text",
    "history_csv": "clinic",
    "history_rows": "clinic",
    "history_table": "clinic",
    "history_text": "clinic",
    "load_program": "program",
    "os_error_text": "text",
    "patient_prescription": "clinic",
    "prescribe": "clinic",
    "prescribe_text": "clinic",
    "program_summary": "program",
    "run_program": "program",
    "seconds_range": "clinic",
    "show_session": "clinic",
    "output_names": "batch",
    "run_batch": "batch",
    "run_exercise_or_program": "program",
    "run_live": "live",
    "summary_lines": "coaching",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
