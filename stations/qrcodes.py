"""Station QR codes: the URLs they carry and the PNG and SVG images drawn with the qrcode library.

A poster carries only ``LIAISON_PUBLIC_URL/s/<code>``: a short URL gives a coarse code that old
phones read from across a room and that survives a poster printed on a cheap office printer.
"""
import io
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from flask import current_app

#: Error correction M (15% of the code may be damaged) with the standard 4-module quiet zone:
#: enough for a poster with a scuff or a reflection without making the modules smaller.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BORDER = 4
#: Pixels per module of a downloaded PNG: a version-3 poster code is 37 modules, so 740 px,
#: sharp at 6 cm on a 300 dpi printer.
PNG_BOX_SIZE = 20


def station_url(station):
    """The URL printed on the station's poster: the check-in page of its current code."""
    return current_app.config["LIAISON_PUBLIC_URL"].rstrip("/") + "/s/" + station.code


def kiosk_url(station, token):
    """The URL a kiosk screen shows: the station's check-in page with a signed, short-lived token."""
    return station_url(station) + "?t=" + quote(token, safe="")


def _matrix(url):
    """A QR code for ``url``, sized to the smallest version that holds it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return code


class _CrispSvg(qrcode.image.svg.SvgPathFillImage):
    """One black path on a white square, drawn without anti-aliased seams between modules."""

    def _svg(self, **kwargs):
        """The root element, asking renderers not to smooth the module edges."""
        svg = super()._svg(**kwargs)
        svg.set("shape-rendering", "crispEdges")
        return svg


def qr_png(url, box_size=PNG_BOX_SIZE):
    """The QR code for ``url`` as PNG bytes, black on white, ``box_size`` pixels per module."""
    code = _matrix(url)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url):
    """The QR code for ``url`` as an SVG document (no XML declaration, so it can also go inline).

    One module is one unit of the viewBox (and 1 mm at its natural size); pages scale it by CSS.
    """
    image = _matrix(url).make_image(image_factory=_CrispSvg)
    return image.to_string(encoding="unicode")
