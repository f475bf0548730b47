"""Capture: video and camera sources, the one MediaPipe adapter, the pose model, landmark
recordings and pose streams."""

from formcheck._lazy import lazy_exports

_EXPORTS = {
    "CrowdTally": "crowd",
    "INDEX": "landmarks",
    "LatestFrameGrabber": "sources",
    "MIN_PERSON_PX": "landmarks",
    "N_LANDMARKS": "landmarks",
    "PacedFileSource": "sources",
    "PoseFrame": "landmarks",
    "PoseStream": "poses",
    "RecordingReader": "recording",
    "RecordingWriter": "recording",
    "SKELETON": "landmarks",
    "SUFFIX": "recording",
    "SourceInfo": "sources",
    "VideoFileSource": "sources",
    "file_sha256": "dating",
    "file_time_utc": "dating",
    "is_recording": "recording",
    "recorded_time_utc": "dating",
    "open_poses": "poses",
    "person_size_px": "landmarks",
    "read_frames": "sources",
    "refuse_overwrite": "files",
    "resolve_model": "model",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
