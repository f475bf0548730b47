"""Rebuild ``pose_landmarker_full_blazepose.task`` from the BlazePose weights.

The official ``pose_landmarker_*.task`` bundles are downloaded from a cloud bucket at
run time by most MediaPipe examples.  formcheck must work offline, so it ships its own
bundle, made here from the Apache-2.0 BlazePose GHUM "full" weights that the
``mediapipe==0.10.21`` wheel on PyPI carries:

- ``mediapipe/modules/pose_detection/pose_detection.tflite`` -> ``pose_detector.tflite``
- ``mediapipe/modules/pose_landmark/pose_landmark_full.tflite`` ->
  ``pose_landmarks_detector.tflite``

Those legacy files carry no input-normalisation metadata, which the Tasks API requires,
so image-input metadata is added (detector: mean 127.5 / std 127.5, input in [-1, 1];
landmark model: mean 0 / std 255, input in [0, 1]).  The bundle is an uncompressed zip
with 4-byte aligned members and fixed timestamps, so the output is byte-for-byte
reproducible.

Run with a Python that has ``mediapipe==0.10.21`` installed (its metadata writer; the
copy in mediapipe 1.x lacks its compiled part)::

    bash models/rebuild.sh          # makes a throw-away venv and runs this script

``--landmarks FILE`` bundles other BlazePose landmark weights the same way, for example the
heavy ones (``pose_landmark_heavy.tflite`` in the Apache-2.0 ``@mediapipe/pose`` npm
package), for use with ``--model``; the bundled file stays the full model.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from importlib import resources
from pathlib import Path

from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

#: member name in the bundle -> (file inside the mediapipe wheel, norm mean, norm std, name)
MEMBERS = {
    "pose_detector.tflite": (
        "modules/pose_detection/pose_detection.tflite", 127.5, 127.5, "BlazePose detector"),
    "pose_landmarks_detector.tflite": (
        "modules/pose_landmark/pose_landmark_full.tflite", 0.0, 255.0,
        "BlazePose GHUM landmarks (full)"),
}
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
ALIGNMENT = 4


def with_image_metadata(model: bytes, mean: float, std: float, name: str) -> bytes:
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose weights from mediapipe 0.10.21 (Apache-2.0)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    out, _ = writer.populate()
    return bytes(out)


def aligned_stored_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            # Pad with an extra field so the member's data starts on an aligned offset.
            header_len = 30 + len(name.encode())
            pad = (-(buf.tell() + header_len + 4)) % ALIGNMENT
            info.extra = b"\xfe\xca" + pad.to_bytes(2, "little") + b"\x00" * pad
            zf.writestr(info, data)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).with_name("pose_landmarker_full_blazepose.task"))
    parser.add_argument("--landmarks", type=Path, metavar="FILE",
                        help="pose_landmark_*.tflite to bundle instead of the wheel's full model")
    args = parser.parse_args()
    root = resources.files("mediapipe")
    members = {}
    for member, (src, mean, std, name) in MEMBERS.items():
        weights = (root / src).read_bytes()
        if args.landmarks and member == "pose_landmarks_detector.tflite":
            weights = args.landmarks.read_bytes()
            name = f"BlazePose GHUM landmarks ({args.landmarks.stem})"
        members[member] = with_image_metadata(weights, mean, std, name)
    data = aligned_stored_zip(members)
    args.output.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    args.output.with_suffix(".task.sha256").write_text(f"{digest}  {args.output.name}\n")
    print(f"wrote {args.output} ({len(data)} bytes) sha256 {digest}")


if __name__ == "__main__":
    main()
