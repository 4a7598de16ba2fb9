"""A fake camera for scan mode's browser tests: a Y4M video (written here with Pillow) that Chromium
plays as its camera (``--use-file-for-fake-video-capture``), and a Chromium launched to use it."""
import contextlib
import io

from PIL import Image

from stations import qrcodes
from tests.conftest import CHROMIUM

SIZE = (640, 480)
FPS = 10


def code_frame(text, side=300):
    """A frame showing the QR code of ``text`` (as a phone's screen would), on a grey surround."""
    frame = Image.new("RGB", SIZE, (200, 200, 200))
    code = Image.open(io.BytesIO(qrcodes.qr_png(text, box_size=8))).convert("RGB")
    code = code.resize((side, side), Image.NEAREST)
    frame.paste(code, ((SIZE[0] - side) // 2, (SIZE[1] - side) // 2))
    return frame


def blank_frame():
    """A frame with no code in view."""
    return Image.new("RGB", SIZE, (200, 200, 200))


def write_y4m(path, segments, fps=FPS):
    """Write ``segments`` — ``(frame, seconds)`` pairs — as a YUV4MPEG2 file (4:2:0), played in a loop.

    The header names the size, frame rate and chroma layout; each frame is ``FRAME`` then the Y
    plane at full size and the Cb and Cr planes at half size in both directions.
    """
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{SIZE[0]} H{SIZE[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame, seconds in segments:
            y, cb, cr = frame.convert("YCbCr").split()
            half = (SIZE[0] // 2, SIZE[1] // 2)
            planes = y.tobytes() + cb.resize(half, Image.BILINEAR).tobytes() + cr.resize(half, Image.BILINEAR).tobytes()
            for _ in range(max(1, round(seconds * fps))):
                out.write(b"FRAME\n")
                out.write(planes)
    return path


@contextlib.contextmanager
def camera_browser(playwright, video):
    """A Chromium of its own whose camera plays ``video``; camera permission granted without asking."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-quic", "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}",
              "--autoplay-policy=no-user-gesture-required"])
    try:
        yield browser
    finally:
        browser.close()
