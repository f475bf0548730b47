"""Finding the pose model file and describing it for provenance (no mediapipe import here)."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from formcheck.errors import ModelError

BUNDLED_MODEL_NAME = "pose_landmarker_full_blazepose.task"
_BUNDLE_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


def bundled_model_path() -> Path:
    """The model shipped with formcheck: inside the wheel, or in the source tree's models/."""
    packaged = resources.files("formcheck") / "models" / BUNDLED_MODEL_NAME
    if packaged.is_file():
        return Path(str(packaged))
    in_tree = Path(__file__).resolve().parents[3] / "models" / BUNDLED_MODEL_NAME
    if in_tree.is_file():
        return in_tree
    raise ModelError(
        f"the bundled pose model {BUNDLED_MODEL_NAME} is missing from this install; "
        "reinstall formcheck or pass --model PATH to a pose_landmarker .task file")


@lru_cache(maxsize=8)
def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_model(path: str | Path | None = None) -> ModelInfo:
    """Check a model path (default: the bundled model) and return it with its hash.

    Raises ModelError when the file is missing or is not a pose landmarker bundle.
    """
    model_path = Path(path).expanduser() if path is not None else bundled_model_path()
    if not model_path.is_file():
        raise ModelError(f"pose model not found: {model_path}; pass --model PATH to an "
                         "existing pose_landmarker_{lite,full,heavy}.task file")
    try:
        with zipfile.ZipFile(model_path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        names = set()
    if not _BUNDLE_MEMBERS <= names:
        raise ModelError(f"{model_path} is not a MediaPipe pose landmarker .task bundle "
                         f"(expected members {sorted(_BUNDLE_MEMBERS)}); pass a "
                         "pose_landmarker_{lite,full,heavy}.task file")
    return ModelInfo(path=model_path.resolve(), sha256=_sha256_file(model_path.resolve()))
