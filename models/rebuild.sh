#!/usr/bin/env bash
# Rebuilds models/pose_landmarker_full_blazepose.task reproducibly in a throw-away venv
# (mediapipe 0.10.21 for its BlazePose weights and metadata writer), then checks the hash.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3.11 -m venv "$tmp/venv" 2>/dev/null || python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet "mediapipe==0.10.21"
cp "$here/pose_landmarker_full_blazepose.task.sha256" "$tmp/expected.sha256" 2>/dev/null || true
"$tmp/venv/bin/python" "$here/build_pose_bundle.py" -o "$here/pose_landmarker_full_blazepose.task"
if [ -f "$tmp/expected.sha256" ]; then
  diff "$tmp/expected.sha256" "$here/pose_landmarker_full_blazepose.task.sha256" \
    && echo "hash unchanged: the rebuild is byte-identical"
fi
