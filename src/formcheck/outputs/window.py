"""The live window (OpenCV HighGUI): open it at the video's size, show a frame and read a
key, tell when the user closed it, and show the end-of-session summary."""

from __future__ import annotations

import os
import sys

import cv2
import numpy as np

from formcheck.errors import DisplayError
from formcheck.outputs.draw import blank_like, draw_banner

WINDOW = "formcheck"


def check_display() -> None:
    """OpenCV's window aborts the whole process when there is no screen; say so first."""
    if sys.platform.startswith(("linux", "freebsd")) and not os.environ.get("DISPLAY"):
        raise DisplayError("no screen for the live window (DISPLAY is not set): run "
                           "'formcheck live' in a desktop session; for a recorded video "
                           "without a window use 'formcheck analyze'")


def _quiet_qt() -> None:
    """OpenCV's Qt window looks for fonts in a folder its wheel leaves empty and warns about
    it several times a start; the overlay draws with OpenCV's own fonts, so hide Qt's
    default-category warnings (a user's own QT_LOGGING_RULES wins)."""
    os.environ.setdefault("QT_LOGGING_RULES", "default.warning=false")


def open_window(width_px: int, height_px: int, max_width_px: int = 1600) -> None:
    """A resizable window without toolbar, at the video's size (capped), so the counters
    stay large enough to read from the floor two metres away."""
    _quiet_qt()
    cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
    scale = min(1.0, max_width_px / width_px)
    cv2.resizeWindow(WINDOW, int(width_px * scale), int(height_px * scale))


def show(image: np.ndarray) -> int:
    """Show one frame; the key pressed meanwhile (255 for none)."""
    cv2.imshow(WINDOW, image)
    return cv2.waitKey(1) & 0xFF


def window_closed() -> bool:
    try:
        return cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1
    except cv2.error:
        return True


def show_summary(lines: list[str], width_px: int, height_px: int, seconds: float) -> None:
    """The end-of-session lines for ``seconds`` (or until a key), then close the window."""
    if seconds <= 0 or window_closed():
        return
    img = blank_like(width_px, height_px)
    y = 60
    for line in lines:
        cv2.putText(img, line, (30, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2,
                    cv2.LINE_AA)
        y += 50
    img = draw_banner(img, "Press any key to close", (90, 90, 90))
    cv2.imshow(WINDOW, img)
    cv2.waitKey(int(seconds * 1000))
    cv2.destroyAllWindows()
