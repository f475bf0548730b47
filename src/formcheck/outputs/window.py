"""The live window (OpenCV HighGUI): open it at the video's size, show a frame and read a
key, tell when the user closed it, and show the end-of-session summary."""

from __future__ import annotations

import os
import sys
import time

import cv2
import numpy as np

from formcheck.errors import DisplayError
from formcheck.outputs.draw import blank_like, draw_banner, draw_lines

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


#: Share of the screen a window (not full screen) may take, leaving room for panels.
SCREEN_SHARE = 0.9


def screen_size_px() -> tuple[int, int] | None:
    """The primary (else first) screen's size, or None when it cannot be told."""
    try:
        import screeninfo

        monitors = screeninfo.get_monitors()
    except Exception:  # noqa: BLE001 - any failure: fall back to the video's own size
        return None
    if not monitors:
        return None
    m = next((m for m in monitors if m.is_primary), monitors[0])
    return m.width, m.height


def fit_size_px(width_px: int, height_px: int, screen: tuple[int, int] | None,
                share: float = SCREEN_SHARE) -> tuple[int, int]:
    """The video's size scaled (up or down, aspect kept) to fill ``share`` of the screen."""
    if screen is None:
        return width_px, height_px
    scale = min(screen[0] * share / width_px, screen[1] * share / height_px)
    return int(width_px * scale), int(height_px * scale)


#: The sizes the frames are drawn at: the window's (video aspect, fitted to the screen) and
#: the screen's, and which is in use.  OpenCV's window does not enlarge what it shows, so
#: frames are drawn at the size they are shown.
_SIZES: dict[str, tuple[int, int] | bool | None] = {"window": None, "screen": None,
                                                      "full": False}


def open_window(width_px: int, height_px: int, fullscreen: bool = False) -> None:
    """A resizable window without toolbar, as large as the screen allows at the video's
    aspect (a portrait video fits the screen's height), or full screen."""
    _quiet_qt()
    screen = screen_size_px()
    _SIZES.update(window=fit_size_px(width_px, height_px, screen), screen=screen, full=False)
    cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
    cv2.resizeWindow(WINDOW, *_SIZES["window"])
    if fullscreen:
        set_fullscreen(True)


def set_fullscreen(on: bool) -> None:
    """Fill the screen (or go back to the window); also without a window manager."""
    on = on and _SIZES["screen"] is not None
    _SIZES["full"] = on
    cv2.setWindowProperty(WINDOW, cv2.WND_PROP_FULLSCREEN,
                          cv2.WINDOW_FULLSCREEN if on else cv2.WINDOW_NORMAL)
    cv2.resizeWindow(WINDOW, *canvas_size())
    if on:
        cv2.moveWindow(WINDOW, 0, 0)


def is_fullscreen() -> bool:
    return bool(_SIZES["full"])


def canvas_size() -> tuple[int, int]:
    """The size (width, height) to draw frames at for the window as it is now."""
    return _SIZES["screen"] if _SIZES["full"] else _SIZES["window"]


def show(image: np.ndarray) -> int:
    """Show one frame; the key pressed meanwhile (255 for none)."""
    cv2.imshow(WINDOW, image)
    return cv2.waitKey(1) & 0xFF


def window_closed() -> bool:
    try:
        return cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1
    except cv2.error:
        return True


def show_summary(lines: list[str], seconds: float) -> None:
    """The end-of-session lines for ``seconds`` (or until a key); the window stays open
    (:func:`close`)."""
    if seconds <= 0 or window_closed():
        return
    img = draw_lines(blank_like(*canvas_size()), lines)
    img = draw_banner(img, "Press any key to go on", (90, 90, 90))
    cv2.imshow(WINDOW, img)
    cv2.waitKey(int(seconds * 1000))


def close() -> None:
    cv2.destroyAllWindows()


def ask_rating(question, seconds: float) -> tuple[int | None, bool]:
    """Ask one :class:`~formcheck.outputs.rating.Question` for up to ``seconds``; the
    answer (None: skipped or no answer in time) and whether to stop asking."""
    from formcheck.outputs.rating import RatingKeys, rating_lines

    keys = RatingKeys()
    start = time.monotonic()
    while not keys.done and not window_closed():
        now = time.monotonic()
        if now - start >= seconds and not keys.pending:
            break
        img = draw_lines(blank_like(*canvas_size()),
                         rating_lines(question, keys, max(seconds - (now - start), 0.0)))
        cv2.imshow(WINDOW, img)
        keys.key(cv2.waitKey(50) & 0xFF, time.monotonic())
    if keys.done and keys.value is not None and not window_closed():
        said = f"{question.label}: {keys.value} of 10. Thank you"
        cv2.imshow(WINDOW, draw_lines(blank_like(*canvas_size()), [said]))
        cv2.waitKey(800)
    return keys.value, keys.stop or window_closed()


def show_lines(lines: list[str], seconds: float) -> None:
    """Lines alone in the window (the rest between a programme's exercises) for
    ``seconds``, or until a key."""
    if seconds <= 0 or _SIZES["window"] is None:
        return
    cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
    cv2.resizeWindow(WINDOW, *canvas_size())
    cv2.imshow(WINDOW, draw_lines(blank_like(*canvas_size()), lines))
    cv2.waitKey(int(seconds * 1000))
    cv2.destroyAllWindows()
