"""A stick-figure generator of landmark sequences with known joint angles.

The body is built from its own axes (superior S, anterior A, left L = S x A) and placed in
MediaPipe's camera-aligned world frame (x right, y down, z away) for a posture and a view;
pixels come from an orthographic projection, so the 2D features equal the commanded angles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.capture import INDEX, N_LANDMARKS, PoseFrame

W, H, SCALE = 1280, 720, 320.0  # frame size (px), pixels per metre
TRUNK, HIP_HALF, SH_HALF, THIGH, SHANK, FOOT = 0.5, 0.12, 0.18, 0.45, 0.42, 0.15


def _unit(v):
    return v / np.linalg.norm(v)


@dataclass
class Pose:
    """Commanded angles, degrees."""

    hip_ext: float = 0.0  # working leg: 0 in line with the trunk, + behind
    knee_flex: float = 90.0
    abduction: float = 0.0
    other_hip_ext: float = -90.0
    other_knee_flex: float = 90.0
    trunk_pitch: float = 0.0  # rotation of the body about its left-right axis
    pelvis_roll: float = 0.0  # rotation about the long axis, + working-side hip forward (anterior)
    thorax_roll: float = 0.0  # the same for the shoulders
    trunk_side_bend: float = 0.0  # rotation of the trunk about the front-back axis


POSTURES = {
    # name: (S, A) in camera coordinates before trunk pitch; view follows from them
    "quadruped_side": ((1, 0, 0), (0, 1, 0)),
    "prone_side": ((1, 0, 0), (0, 1, 0)),
    "supine_side": ((-1, 0, 0), (0, -1, 0)),
    "side_lying_front": ((-1, 0, 0), (0, 0, -1)),
    "quadruped_front": ((0, 0, 1), (0, 1, 0)),
    "standing_side": ((0, -1, 0), (1, 0, 0)),
}


def _rotate(v, axis, deg):
    axis = _unit(np.asarray(axis, float))
    t = np.radians(deg)
    return (v * np.cos(t) + np.cross(axis, v) * np.sin(t)
            + axis * np.dot(axis, v) * (1 - np.cos(t)))


def body_points(posture: str, pose: Pose, working: str = "left") -> dict[str, np.ndarray]:
    S0, A0 = (np.array(v, float) for v in POSTURES[posture])
    L0 = np.cross(S0, A0)
    # trunk pitch: rotate S and A about L (positive lifts the head, as seen from the side)
    S, A = _rotate(S0, L0, pose.trunk_pitch), _rotate(A0, L0, pose.trunk_pitch)
    S = _rotate(S, A, pose.trunk_side_bend)
    L = np.cross(S, A)
    out = {}
    lat = {"left": L, "right": -L}
    # pelvis roll: rotate the hip line about S, working-side hip towards A
    roll_axis = S if working == "left" else -S
    for side in ("left", "right"):
        hip_off = _rotate(lat[side] * HIP_HALF, roll_axis, -pose.pelvis_roll)
        out[f"{side}_hip"] = hip_off
        out[f"{side}_shoulder"] = S * TRUNK + _rotate(lat[side] * SH_HALF, roll_axis,
                                                      -pose.thorax_roll)
        out[f"{side}_elbow"] = out[f"{side}_shoulder"] + A * 0.28
        out[f"{side}_wrist"] = out[f"{side}_elbow"] + A * 0.25
        ext, knee, abd = ((pose.hip_ext, pose.knee_flex, pose.abduction) if side == working
                          else (pose.other_hip_ext, pose.other_knee_flex, 0.0))
        e, a, k = np.radians(ext), np.radians(abd), np.radians(knee)
        sag = np.cos(e) * -S + np.sin(e) * -A
        thigh = _unit(np.cos(a) * sag + np.sin(a) * lat[side])
        post = np.cos(e) * -A - np.sin(e) * -S
        shank = _unit(np.cos(k) * thigh + np.sin(k) * post)
        out[f"{side}_knee"] = out[f"{side}_hip"] + thigh * THIGH
        out[f"{side}_ankle"] = out[f"{side}_knee"] + shank * SHANK
        out[f"{side}_heel"] = out[f"{side}_ankle"] - A * 0.04
        out[f"{side}_foot_index"] = out[f"{side}_ankle"] + A * FOOT
    out["nose"] = S * (TRUNK + 0.25) + A * 0.1
    return out


def to_pose_frame(points: dict[str, np.ndarray], index: int, t_s: float,
                  rng: np.random.Generator | None = None, jitter_m: float = 0.0) -> PoseFrame:
    world = np.zeros((N_LANDMARKS, 3))
    vis = np.full(N_LANDMARKS, 0.99)
    centre = (points["left_hip"] + points["right_hip"]) / 2
    for name, i in INDEX.items():
        base = name
        for part in ("_eye_inner", "_eye_outer", "_eye", "_ear", "mouth_"):
            if part in name:
                base = "nose"
        for part, sub in (("_pinky", "_wrist"), ("_index", "_wrist"), ("_thumb", "_wrist")):
            if name.endswith(part) and not name.endswith("foot_index"):
                base = name.replace(part, sub)
        world[i] = points[base] - centre
    if rng is not None and jitter_m:
        world = world + rng.normal(0, jitter_m, world.shape)
    px = world[:, :2] * SCALE + np.array([W / 2, H / 2])
    image = np.column_stack([px[:, 0] / W, px[:, 1] / H, world[:, 2]])
    return PoseFrame(index, t_s * 1000.0, W, H, image=image, world=world, visibility=vis,
                     presence=vis.copy())


@dataclass
class Segment:
    duration_s: float
    start: Pose
    end: Pose


def timeline_frames(segments: list[Segment], posture: str, fps: float = 30.0,
                    working: str = "left", seed: int = 0, jitter_m: float = 0.0,
                    drop_every: int = 0) -> list[PoseFrame]:
    """Linear interpolation of Pose fields through the segments; optionally jitter the
    landmarks and drop every n-th frame (no person found)."""
    rng = np.random.default_rng(seed)
    frames, t, index = [], 0.0, 0
    for seg in segments:
        n = max(1, int(round(seg.duration_s * fps)))
        for j in range(n):
            u = j / n
            pose = Pose(**{k: (1 - u) * getattr(seg.start, k) + u * getattr(seg.end, k)
                           for k in Pose.__dataclass_fields__})
            if drop_every and index % drop_every == drop_every - 1:
                frames.append(PoseFrame(index, t * 1000.0, W, H))
            else:
                frames.append(to_pose_frame(body_points(posture, pose, working), index, t,
                                            rng, jitter_m))
            t += 1.0 / fps
            index += 1
    return frames


#: MediaPipe-like jitter of the hip and knee image landmarks in a still hold, measured on
#: the rendered clips' holds (the bundled model, cubic-detrended 2 s windows): the 3-7 Hz
#: band carries a median RMS of 0.0022 thigh lengths, and successive frames correlate
#: (lag-1 autocorrelation 0.8-0.9 of the detrended positions).
JITTER_RMS_THIGH = 0.0022
JITTER_RHO = 0.85


def ar1_jitter(rng: np.random.Generator, n: int, band_rms: float, rho: float = JITTER_RHO,
               fs: float = 30.0) -> np.ndarray:
    """(n,) AR(1) noise scaled so its 3-7 Hz band carries ``band_rms`` (analytically: the
    AR(1) spectrum integrated over the band)."""
    e = rng.normal(0.0, 1.0, n)
    x = np.empty(n)
    x[0] = e[0]
    for i in range(1, n):
        x[i] = rho * x[i - 1] + e[i]
    f = np.linspace(3.0, 7.0, 200)
    psd = 2.0 / fs / np.abs(1 - rho * np.exp(-2j * np.pi * f / fs)) ** 2  # one-sided, unit e
    band_var = float(np.sum(psd) * (f[1] - f[0]))
    return x * band_rms / np.sqrt(band_var)


@dataclass
class BridgeHold:
    """A still glute bridge (rest, lift 1 s, hold, lower 1 s, rest) without noise; its
    hold's start and end (s)."""

    frames: list[PoseFrame]
    hold_start_s: float
    hold_end_s: float


def bridge_hold(hold_s: float = 20.0, rest_s: float = 8.0, sag_deg_s: float = 0.0,
                sag_from_in_hold_s: float = 0.0, fps: float = 30.0) -> BridgeHold:
    """Optionally sagging at ``sag_deg_s`` from ``sag_from_in_hold_s`` into the hold."""
    lying = Pose(hip_ext=-50.0, knee_flex=100.0, other_hip_ext=-50.0, other_knee_flex=100.0)
    top = Pose(hip_ext=10.0, knee_flex=90.0, other_hip_ext=10.0, other_knee_flex=90.0)
    sag_s = hold_s - sag_from_in_hold_s if sag_deg_s else 0.0
    low = top.hip_ext - sag_deg_s * sag_s
    sagged = Pose(**{**top.__dict__, "hip_ext": low, "other_hip_ext": low})
    segments = [Segment(rest_s, lying, lying), Segment(1.0, lying, top),
                Segment(hold_s - sag_s, top, top)]
    if sag_s:
        segments.append(Segment(sag_s, top, sagged))
    segments += [Segment(1.0, sagged, lying), Segment(rest_s, lying, lying)]
    frames = timeline_frames(segments, "supine_side", fps=fps, working="left")
    return BridgeHold(frames, rest_s + 1.0, rest_s + 1.0 + hold_s)


def shaken(bridge: BridgeHold, amp_thigh: float = 0.0, freq_hz: float = 5.0,
           onset_in_hold_s: float = 8.0, seed: int = 0,
           jitter_rms: float = JITTER_RMS_THIGH) -> tuple[list[PoseFrame], float]:
    """The bridge with MediaPipe-like jitter on the working hip and knee image landmarks (4
    coordinates, independent) and an oscillation of ``amp_thigh`` thigh lengths
    (amplitude; vertical; hip and knee in phase) at ``freq_hz`` from ``onset_in_hold_s``
    into the hold to its end.  Returns the frames and the oscillation's onset (s)."""
    rng = np.random.default_rng(seed)
    thigh_px = THIGH * SCALE
    onset = bridge.hold_start_s + onset_in_hold_s
    t = np.array([f.t_s for f in bridge.frames])
    noise = np.stack([ar1_jitter(rng, len(t), jitter_rms) for _ in range(4)], axis=1)
    wave = np.where((t >= onset) & (t < bridge.hold_end_s),
                    amp_thigh * np.sin(2 * np.pi * freq_hz * (t - onset)), 0.0)
    out = []
    for i, f in enumerate(bridge.frames):
        image = f.image.copy()
        for k, name in enumerate(("left_hip", "left_knee")):
            j = INDEX[name]
            image[j, 0] += noise[i, 2 * k] * thigh_px / W
            image[j, 1] += (noise[i, 2 * k + 1] + wave[i]) * thigh_px / H
        out.append(PoseFrame(f.index, f.t_ms, W, H, image=image, world=f.world,
                             visibility=f.visibility, presence=f.presence))
    return out, onset
