"""Reading QR codes back the way a phone would: zxing-cpp on PNG bytes, screenshots and our SVGs."""
import base64
import io
import re
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import PIL.Image
import PIL.ImageDraw
import zxingcpp

_SQUARE = re.compile(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H([\d.]+)z")


def decode_png(data):
    """The text of the one QR code in a PNG (bytes), or an AssertionError when none is found."""
    found = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(data)))
    assert found, "no QR code found in the image"
    return found[0].text


def decode_svg(svg, pixels_per_unit=8):
    """Draw one of our SVG codes (a path of unit squares on white) and decode it with zxing-cpp."""
    root = ElementTree.fromstring(svg)
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    image = PIL.Image.new("L", (round(width * pixels_per_unit), round(height * pixels_per_unit)), 255)
    draw = PIL.ImageDraw.Draw(image)
    path = root.find("{http://www.w3.org/2000/svg}path")
    squares = _SQUARE.findall(path.get("d"))
    assert squares, "the SVG path has no modules"
    for left, top, right, bottom, _back in squares:
        draw.rectangle([float(left) * pixels_per_unit, float(top) * pixels_per_unit,
                        float(right) * pixels_per_unit - 1, float(bottom) * pixels_per_unit - 1], fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return decode_png(buffer.getvalue())


def kiosk_image_source(page_html):
    """The SVG the kiosk page shows first (a data: URL in the <img id="kiosk-qr">)."""
    match = re.search(r'id="kiosk-qr"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', page_html)
    assert match, "the kiosk page shows no QR image"
    return base64.b64decode(match.group(1)).decode()


def token_of(url):
    """The kiosk token (?t=) a decoded URL carries, or None."""
    return parse_qs(urlsplit(url).query).get("t", [None])[0]


def without_query(url):
    """The URL without its query string."""
    return url.split("?", 1)[0]
