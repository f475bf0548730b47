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
BANNER_BGR = (0, 0, 190)  # deep red under white letters
GUIDE_BGR = (130, 60, 0)  # deep blue under white letters
PANEL_BGR = (16, 16, 16)  # near black, apart from the black bars
TEXT_BGR = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX
MIN_VISIBILITY = 0.3


def _scale(img: np.ndarray) -> float:
    """Text and line scale: readable from two metres on a laptop screen."""
    return max(img.shape[0], img.shape[1]) / 1280.0


def draw_skeleton(img: np.ndarray, pose: PoseFrame, side: str | None = None) -> np.ndarray:
    out = img.copy()
    _skeleton(out, pose, side)
    return out


def _skeleton(out: np.ndarray, pose: PoseFrame, side: str | None) -> None:
    if not pose.has_pose:
        return
    px = pose.pixels()
    s = _scale(out)
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


def _text(img, text, org, size, color=TEXT_BGR, thick=2, outline=True):
    """Text drawn in place; ``outline``: a black edge, for text over the video."""
    if outline:
        cv2.putText(img, text, org, FONT, size, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, FONT, size, color, thick, cv2.LINE_AA)


def draw_angles(img: np.ndarray, pose: PoseFrame, result: FrameResult | None) -> np.ndarray:
    """The key angles next to the joints where they are measured."""
    out = img.copy()
    _angles(out, pose, result)
    return out


def _angles(out: np.ndarray, pose: PoseFrame, result: FrameResult | None) -> None:
    if result is None or not pose.has_pose or result.side is None:
        return
    px = pose.pixels()
    s = _scale(out)
    for feature, joint in (("hip_extension_deg", "hip"), ("knee_flexion_deg", "knee"),
                           ("hip_abduction_image_deg", "hip")):
        value = result.values.get(feature, math.nan)
        if math.isfinite(value):
            x, y = px[INDEX[f"{result.side}_{joint}"]]
            _text(out, f"{value:.0f}", (int(x + 12 * s), int(y - 12 * s)), 0.9 * s,
                  WORKING_BGR, max(2, int(2 * s)))


#: Text cap heights as fractions of the image height (the window shows the image scaled
#: to fill it): counters and the banner readable from two metres away on the floor.
COUNTER_CAP = 0.07
BANNER_CAP = 0.05
SMALL_CAP = 0.035
#: An exercise with a final hold shows its timer once a lift has been held this long.
FINAL_HOLD_TIMER_AFTER_S = 2.0
#: What each state of the rep machine means, for the patient.
STATE_WORDS = {"setup": "Get into the start position", "ready": "Start when you like",
               "up": "Lifting", "top": "Now lower slowly", "down": "Lowering"}
KEYS_LEGEND = ("space  pause / go on", "q  stop", "s  switch side", "n  next set",
               "f  full screen", "h  hide these keys")


def _font_scale(cap_px: float, thick: int = 1) -> float:
    """The FONT scale whose capital letters are ``cap_px`` tall."""
    return cap_px / cv2.getTextSize("H", FONT, 1.0, thick)[0][1]


def _thickness(cap_px: float) -> int:
    return max(2, int(round(cap_px / 12)))


def counter_lines(result: FrameResult | None, ex: Exercise) -> list[str]:
    """The big counters, in words: "Rep 4 of 10", "Set 2 of 3"; for holds
    "Hold 2 of 5" and "Held 23 s of 60 s"."""
    if result is None:
        return ["Getting ready"]
    dose = ex.dose
    in_rep = result.state in ("up", "top", "down")  # the rep being done, counted from one
    holds = ex.movement.kind == "hold" or bool(dose.hold_s)  # each rep is a hold
    lines = [f"{'Hold' if holds else 'Rep'} {result.reps + in_rep}"
             + (f" of {dose.reps}" if dose.reps else ""), f"Set {result.set} of {dose.sets}"]
    if holds:
        lines.append(f"Held {result.hold_s:.0f} s" + (f" of {dose.hold_s:.0f} s"
                                                      if dose.hold_s else ""))
    elif dose.final_hold_s and result.state in ("top", "down") \
            and result.hold_s >= FINAL_HOLD_TIMER_AFTER_S:
        lines.append(f"Hold {result.hold_s:.0f} s of {dose.final_hold_s:.0f} s")
    if ex.movement.kind == "pumps":
        lines.append(f"Pumps {result.pumps}")
    if result.rest_s is not None and (dose.rest_min_s or ex.movement.kind == "hold"):
        lines.append(f"Rest {result.rest_s:.0f} s" + (f" of {dose.rest_min_s:.0f} s"
                                                      if dose.rest_min_s else ""))
    return lines


def status_words(result: FrameResult | None, ex: Exercise) -> str:
    """The state of the rep, in plain words."""
    if result is None:
        return STATE_WORDS["setup"]
    if result.state == "top" and (ex.movement.kind == "hold" or ex.dose.hold_s):
        return "Hold it there"
    return STATE_WORDS.get(result.state, "")


def _text_block(out: np.ndarray, lines: list[tuple[str, float, tuple]], x: int, y: int,
                fill=PANEL_BGR) -> np.ndarray:
    """Lines of (text, cap height px, colour) on an opaque panel with its top left at
    (x, y), drawn in place; returns ``out``."""
    gap = [cap * 0.6 for _, cap, _ in lines]
    width = max(cv2.getTextSize(t, FONT, _font_scale(c, _thickness(c)), _thickness(c))[0][0]
                for t, c, _ in lines)
    height = sum(c for _, c, _ in lines) + sum(gap) + gap[0]
    pad = int(gap[0])
    cv2.rectangle(out, (x, y), (x + width + 2 * pad, int(y + height)), fill, -1)
    baseline = y
    for (text, cap, color), g in zip(lines, gap, strict=True):
        baseline += int(g + cap)
        thick = _thickness(cap)
        _text(out, text, (x + pad, baseline), _font_scale(cap, thick), color, thick, False)
    return out


def draw_panel(img: np.ndarray, result: FrameResult | None, ex: Exercise,
               status: str | None = None, text_scale: float = 1.0) -> np.ndarray:
    """Counters at the top left, large, on an opaque dark panel; under them what to do,
    in plain words."""
    h = img.shape[0] * text_scale
    lines = [(line, COUNTER_CAP * h, TEXT_BGR) for line in counter_lines(result, ex)]
    lines.append((status or status_words(result, ex), SMALL_CAP * h, (200, 255, 255)))
    return _text_block(img.copy(), lines, 0, 0)



def draw_lines(img: np.ndarray, lines: list[str]) -> np.ndarray:
    """Plain lines of text, large, from the top left (the end-of-session summary)."""
    h = img.shape[0]
    return _text_block(img.copy(), [(line, SMALL_CAP * h * 1.3, TEXT_BGR) for line in lines],
                       0, 0)


def draw_legend(img: np.ndarray, show: bool) -> np.ndarray:
    """The keys, at the top right (``show``), or a hint how to show them."""
    h, w = img.shape[:2]
    lines = KEYS_LEGEND if show else ("h  keys",)
    block = [(line, SMALL_CAP * h, TEXT_BGR) for line in lines]
    cap = SMALL_CAP * h
    width = max(cv2.getTextSize(t, FONT, _font_scale(cap, _thickness(cap)),
                                _thickness(cap))[0][0] for t in lines) + int(1.2 * cap)
    return _text_block(img.copy(), block, max(0, w - width), 0)


def _wrap(message: str, max_px: int, scale: float, thick: int) -> list[str]:
    lines: list[str] = []
    for word in message.split():
        if lines and cv2.getTextSize(f"{lines[-1]} {word}", FONT, scale, thick)[0][0] <= max_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw_banner(img: np.ndarray, message: str | None, color=BANNER_BGR) -> np.ndarray:
    """A full-width banner at the bottom, in large letters (wrapped, never shrunk): the
    active fault's cue or setup guidance."""
    out = img.copy()
    _banner(out, message, color)
    return out


def _banner(out: np.ndarray, message: str | None, color, text_scale: float = 1.0) -> None:
    if not message:
        return
    h, w = out.shape[:2]
    cap = BANNER_CAP * h * text_scale
    thick = _thickness(cap)
    scale = _font_scale(cap, thick)
    pad = int(0.5 * cap)
    lines = _wrap(message, w - 2 * pad, scale, thick)
    line_h = int(cap * 1.7)
    top = h - line_h * len(lines) - pad
    cv2.rectangle(out, (0, top), (w, h), color, -1)
    for i, line in enumerate(lines):
        _text(out, line, (pad, top + int(cap * 1.3) + i * line_h), scale, TEXT_BGR, thick,
              False)


def letterbox(img: np.ndarray, width_px: int, height_px: int) -> np.ndarray:
    """The image scaled to fit (width_px, height_px), aspect kept, centred on black."""
    h, w = img.shape[:2]
    scale = min(width_px / w, height_px / h)
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    if size == (width_px, height_px):
        return cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    out = np.zeros((height_px, width_px, 3), np.uint8)
    x, y = (width_px - size[0]) // 2, (height_px - size[1]) // 2
    out[y:y + size[1], x:x + size[0]] = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    return out


def annotate(img: np.ndarray, pose: PoseFrame, result: FrameResult | None, ex: Exercise,
             status: str | None = None, legend: bool | None = None,
             canvas: tuple[int, int] | None = None, guide: str | None = None,
             text_scale: float = 1.0, figure=None) -> np.ndarray:
    """Everything: skeleton, angles, counters, the banner (fault cue, else guidance) and,
    live (``legend`` not None), the keys; ``guide``: what to do when there is no cue or
    guidance (the exercise's setup, before counting).  With ``canvas`` (width, height) the frame is
    fitted into it before the text is drawn, so the text is sized to what is shown.
    ``text_scale`` below 1 draws the counters and banner smaller (a video reviewed on a
    screen up close, where the live size would hide the body)."""
    out = img.copy()
    _skeleton(out, pose, result.side if result else None)
    _angles(out, pose, result)
    if canvas is not None:
        out = letterbox(out, *canvas)
    out = draw_panel(out, result, ex, status, text_scale)
    if figure is not None:  # the start position's picture (an analysis.Drawing), at setup
        from formcheck.outputs.figure import figure_in_place

        figure_in_place(out, figure)
    if legend is not None:
        out = draw_legend(out, legend)
    if result is not None and result.active_faults:
        cues = {f.id: f.cue for f in ex.faults}
        _banner(out, cues.get(result.active_faults[0], "Check your form"), BANNER_BGR,
                text_scale)
    elif result is not None and result.guidance:
        _banner(out, result.guidance[0], GUIDE_BGR, text_scale)
    elif not pose.has_pose:
        _banner(out, "Step into view: no person found", GUIDE_BGR, text_scale)
    elif guide:
        _banner(out, guide, GUIDE_BGR, text_scale)
    return out


def blank_like(width: int, height: int) -> np.ndarray:
    """A dark canvas for skeleton-only renderings (no patient video)."""
    return np.full((height, width, 3), 24, dtype=np.uint8)
