"""The real BlazePose model on real frames: detection, plausible landmarks, timestamps, and
recordings that replay exactly what the model gave."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_clip
from formcheck.capture import INDEX, RecordingReader, open_poses


def poses_of(path) -> list:
    with open_poses(path) as stream:
        return [pose for _, pose in stream]


@pytest.mark.parametrize("clip", ["glute_bridge_physioplus_1.mp4",
                                  "donkey_kick_fitjung_1.mp4"])
def test_detects_person_in_95_percent_of_frames(clip, extracted):
    poses = list(RecordingReader(extracted(shared_clip(clip))))
    assert len(poses) >= 90
    assert np.mean([p.has_pose for p in poses]) >= 0.95


def test_hip_lies_between_shoulder_and_knee_on_side_view_bridge(extracted):
    poses = [p for p in RecordingReader(extracted(shared_clip("glute_bridge_physioplus_1.mp4")))
             if p.has_pose]
    fractions = []
    for pose in poses:
        px = pose.pixels()
        shoulder = (px[INDEX["left_shoulder"]] + px[INDEX["right_shoulder"]]) / 2
        hip = (px[INDEX["left_hip"]] + px[INDEX["right_hip"]]) / 2
        knee = (px[INDEX["left_knee"]] + px[INDEX["right_knee"]]) / 2
        axis = knee - shoulder
        fractions.append(np.dot(hip - shoulder, axis) / np.dot(axis, axis))
    fractions = np.array(fractions)
    assert np.all((fractions > 0.2) & (fractions < 0.8))
    # world landmarks are metric: the thigh of an adult is 0.3-0.6 m long
    world = poses[0].world
    thigh_m = np.linalg.norm(world[INDEX["left_hip"]] - world[INDEX["left_knee"]])
    assert 0.3 < thigh_m < 0.6


def test_timestamps_come_from_the_source(extracted):
    # 29.97 fps (30000/1001): frame 300 is at 10010 ms, not at 10000 ms as 30 fps would say
    poses = list(RecordingReader(extracted(shared_clip("donkey_kick_fitjung_1.mp4"))))
    assert poses[300].t_ms == pytest.approx(300 * 1001 / 30, abs=0.5)
    assert np.all(np.diff([p.t_ms for p in poses]) > 0)


def test_recording_replays_exactly_what_the_model_gave(extracted):
    video = shared_clip("glute_bridge_physioplus_1.mp4")
    live = poses_of(video)
    reader = RecordingReader(extracted(video))
    replay = list(reader)
    people = reader.end.pop("people")
    assert reader.end == {"frames": len(live), "status": "complete", "message": None}
    assert people["with_another_person"] == 0 and people["checked"] >= 3  # one person, 3 s
    assert reader.header["source"]["name"] == video.name
    assert reader.header["model"]["sha256"] and len(reader.header["model"]["sha256"]) == 64
    assert len(replay) == len(live)
    for a, b in zip(live, replay, strict=True):
        assert (a.index, a.t_ms, a.width_px, a.height_px) == (b.index, b.t_ms, b.width_px,
                                                              b.height_px)
        for field in ("image", "world", "visibility", "presence"):
            assert np.array_equal(getattr(a, field), getattr(b, field))


def test_rotated_phone_video_comes_out_upright(tmp_path):
    """A phone video stores its frames sideways with a rotation tag; formcheck's frames are
    the upright picture (here: the tag says 90 deg, the upright frame is the stored one
    turned a quarter turn counter-clockwise)."""
    import shutil
    import subprocess

    import cv2

    from formcheck.capture import VideoFileSource

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (.ci/run installs it to make a rotated video)")
    clip = shared_clip("glute_bridge_physioplus_1.mp4")
    rotated = tmp_path / "phone.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    stored = cv2.VideoCapture(str(clip)).read()[1]
    with VideoFileSource(rotated) as source:
        first = next(iter(source)).bgr
        assert (source.info.width_px, source.info.height_px) == (480, 640)
        assert source.info.rotation_deg in (90, 270)
    assert np.array_equal(first, cv2.rotate(stored, cv2.ROTATE_90_COUNTERCLOCKWISE))
    with open_poses(rotated) as stream:
        poses = [p for _, p in stream]
    assert np.mean([p.has_pose for p in poses]) >= 0.95
    assert poses[0].width_px == 480
