"""The setup screen's picture: the exercise's start position as a stick figure (from the
exercise file's ``[posture.drawing]``), in a box at the top right of the frame."""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.analysis import FIGURE_HEAD_RADIUS as HEAD_RADIUS
from formcheck.analysis import Drawing, figure_points

FIGURE_BGR = (255, 230, 150)  # light blue lines on ...
BOX_BGR = (70, 40, 20)  # ... a dark blue box
FLOOR_BGR = (150, 150, 150)
BOX_SHARE = 0.34  # of the frame's longer side, at most 60 % of its width
CAPTION = "Start like this"
BONES = (("hip", "shoulder"), ("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"),
         ("elbow", "wrist"))


def figure_box(width_px: int, height_px: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the picture's box in a frame of this size."""
    bw = int(min(BOX_SHARE * max(width_px, height_px), 0.6 * width_px))
    bh = int(bw * 0.62)
    margin = int(0.02 * height_px)
    # below the key hint at the top right; in a portrait frame, below the counters
    top = int((0.24 if height_px > width_px else 0.09) * height_px)
    return width_px - bw - margin, top, bw, bh


def draw_figure(img: np.ndarray, drawing: Drawing) -> np.ndarray:
    out = img.copy()
    figure_in_place(out, drawing)
    return out


def figure_in_place(out: np.ndarray, drawing: Drawing) -> None:
    h, w = out.shape[:2]
    x0, y0, bw, bh = figure_box(w, h)
    cv2.rectangle(out, (x0, y0), (x0 + bw, y0 + bh), BOX_BGR, -1)
    cap = 0.09 * bh
    thick = max(1, int(cap / 9))
    scale = cap / 22.0
    cv2.putText(out, CAPTION, (x0 + int(0.05 * bw), y0 + int(1.4 * cap)),
                cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    pts = figure_points(drawing)
    xy = np.array(list(pts.values()))
    lo = xy.min(axis=0) - HEAD_RADIUS
    hi = xy.max(axis=0) + HEAD_RADIUS
    area = (x0 + 0.08 * bw, y0 + 2.2 * cap, 0.84 * bw, bh - 3.0 * cap)  # x, y, w, h
    s = min(area[2] / (hi[0] - lo[0]), area[3] / (hi[1] - lo[1]))
    off = (area[0] + (area[2] - s * (hi[0] - lo[0])) / 2,
           area[1] + (area[3] + s * (hi[1] - lo[1])) / 2)

    def px(p) -> tuple[int, int]:  # body heights, y up -> pixels, y down
        return int(off[0] + s * (p[0] - lo[0])), int(off[1] - s * (p[1] - lo[1]))

    line = max(2, int(0.018 * bw))
    body = [p[1] for name, p in pts.items() if name not in ("head", "nose")]
    floor_y = px((0.0, min(min(body), pts["head"][1] - HEAD_RADIUS)))[1] + line
    cv2.line(out, (x0 + int(0.04 * bw), floor_y), (x0 + int(0.96 * bw), floor_y),
             FLOOR_BGR, max(1, line // 2), cv2.LINE_AA)
    for a, b in BONES:
        cv2.line(out, px(pts[a]), px(pts[b]), FIGURE_BGR, line, cv2.LINE_AA)
    cv2.circle(out, px(pts["head"]), int(s * HEAD_RADIUS), FIGURE_BGR, line, cv2.LINE_AA)
    if "nose" in pts:
        edge = np.array(pts["head"]) + (np.array(pts["nose"]) - pts["head"]) * 0.55
        cv2.line(out, px(edge), px(pts["nose"]), FIGURE_BGR, line, cv2.LINE_AA)
