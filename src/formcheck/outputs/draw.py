"""Overlays drawn on frames: skeleton, angles, counters, fault banner.  Pure: each function
takes a BGR image and returns a new one; nothing here opens files or windows."""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.analysis import Exercise, FrameResult
from formcheck.capture import INDEX, SKELETON, PoseFrame

SKELETON_BGR = (80, 255, 80)  # bright green: visible on skin, clothes and floors
WORKING_BGR = (0, 200, 255)  # amber: the working leg
JOINT_BGR = (255, 255, 255)
BANNER_BGR = (40, 40, 220)
PANEL_BGR = (30, 30, 30)
TEXT_BGR = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX
MIN_VISIBILITY = 0.3


def _scale(img: np.ndarray) -> float:
    """Text and line scale: readable from two metres on a laptop screen."""
    return max(img.shape[0], img.shape[1]) / 1280.0


def draw_skeleton(img: np.ndarray, pose: PoseFrame, side: str | None = None) -> np.ndarray:
    out = img.copy()
    if not pose.has_pose:
        return out
    px = pose.pixels()
    s = _scale(img)
    thick = max(2, int(round(4 * s)))
    for a, b in SKELETON:
        ia, ib = INDEX[a], INDEX[b]
        if min(pose.visibility[ia], pose.visibility[ib]) < MIN_VISIBILITY:
            continue
        working = side is not None and a.startswith(side) and b.startswith(side) \
            and any(k in a for k in ("hip", "knee", "ankle"))
        cv2.line(out, tuple(int(v) for v in px[ia]), tuple(int(v) for v in px[ib]),
                 WORKING_BGR if working else SKELETON_BGR, thick, cv2.LINE_AA)
    for i in range(len(px)):
        if pose.visibility[i] >= MIN_VISIBILITY and i > 10:
            cv2.circle(out, tuple(int(v) for v in px[i]), thick + 1, JOINT_BGR, -1, cv2.LINE_AA)
    return out


def _text(img, text, org, size, color=TEXT_BGR, thick=2):
    cv2.putText(img, text, org, FONT, size, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, FONT, size, color, thick, cv2.LINE_AA)


def draw_angles(img: np.ndarray, pose: PoseFrame, result: FrameResult | None) -> np.ndarray:
    """The key angles next to the joints where they are measured."""
    out = img.copy()
    if result is None or not pose.has_pose or result.side is None:
        return out
    px = pose.pixels()
    s = _scale(img)
    for feature, joint in (("hip_extension_deg", "hip"), ("knee_flexion_deg", "knee"),
                           ("hip_abduction_image_deg", "hip")):
        value = result.values.get(feature, math.nan)
        if math.isfinite(value):
            x, y = px[INDEX[f"{result.side}_{joint}"]]
            _text(out, f"{value:.0f}", (int(x + 12 * s), int(y - 12 * s)), 0.9 * s,
                  WORKING_BGR, max(2, int(2 * s)))
    return out


def counter_lines(result: FrameResult | None, ex: Exercise) -> list[str]:
    """The big counters, in words: "rep 4 of 10", "set 2 of 3", "hold 23 s of 60 s"."""
    if result is None:
        return ["getting ready"]
    dose = ex.dose
    lines = [f"rep {result.reps}" + (f" of {dose.reps}" if dose.reps else ""),
             f"set {result.set} of {dose.sets}"]
    if ex.movement.kind == "hold" or dose.hold_s:
        lines.append(f"hold {result.hold_s:.0f} s" + (f" of {dose.hold_s:.0f} s"
                                                      if dose.hold_s else ""))
    if ex.movement.kind == "pumps":
        lines.append(f"pumps {result.pumps}")
    if result.rest_s is not None and (dose.rest_min_s or ex.movement.kind == "hold"):
        lines.append(f"rest {result.rest_s:.0f} s" + (f" of {dose.rest_min_s:.0f} s"
                                                      if dose.rest_min_s else ""))
    return lines


def draw_panel(img: np.ndarray, result: FrameResult | None, ex: Exercise,
               status: str | None = None) -> np.ndarray:
    """Counters at the top left, large; the state or a status line under them."""
    out = img.copy()
    s = _scale(img)
    lines = counter_lines(result, ex)
    size = 1.4 * s
    line_h = int(52 * s)
    width = int(430 * s)
    height = line_h * (len(lines) + 1) + int(16 * s)
    overlay = out.copy()
    cv2.rectangle(overlay, (0, 0), (width, height), PANEL_BGR, -1)
    out = cv2.addWeighted(overlay, 0.7, out, 0.3, 0)
    for i, line in enumerate(lines):
        _text(out, line, (int(14 * s), line_h * (i + 1)), size, TEXT_BGR, max(2, int(3 * s)))
    footer = status or (result.state if result else "setup")
    _text(out, footer, (int(14 * s), line_h * (len(lines) + 1)), 0.8 * s, (200, 200, 200),
          max(1, int(2 * s)))
    return out


def draw_banner(img: np.ndarray, message: str | None, color=BANNER_BGR) -> np.ndarray:
    """A full-width banner at the bottom: the active fault's cue or setup guidance."""
    out = img.copy()
    if not message:
        return out
    s = _scale(img)
    h = int(70 * s)
    cv2.rectangle(out, (0, img.shape[0] - h), (img.shape[1], img.shape[0]), color, -1)
    size = 1.0 * s
    while size > 0.4 * s and cv2.getTextSize(message, FONT, size, 2)[0][0] > img.shape[1] - 20:
        size *= 0.9
    _text(out, message, (int(12 * s), img.shape[0] - int(22 * s)), size, TEXT_BGR,
          max(2, int(2 * s)))
    return out


def annotate(img: np.ndarray, pose: PoseFrame, result: FrameResult | None, ex: Exercise,
             status: str | None = None) -> np.ndarray:
    """Everything: skeleton, angles, counters, and the banner (fault cue, else guidance)."""
    out = draw_skeleton(img, pose, result.side if result else None)
    out = draw_angles(out, pose, result)
    out = draw_panel(out, result, ex, status)
    message = None
    if result is not None and result.active_faults:
        cues = {f.id: f.cue for f in ex.faults}
        message = cues.get(result.active_faults[0], result.active_faults[0])
        out = draw_banner(out, message)
    elif result is not None and result.guidance:
        out = draw_banner(out, result.guidance[0], (150, 90, 0))
    elif not pose.has_pose:
        out = draw_banner(out, "Step into view: no person found", (150, 90, 0))
    return out


def blank_like(width: int, height: int) -> np.ndarray:
    """A dark canvas for skeleton-only renderings (no patient video)."""
    return np.full((height, width, 3), 24, dtype=np.uint8)
