"""Common passwords refused when a password is set: a shipped list, loaded once, compared in lower case."""
import functools
import gzip
import re
from importlib import resources

#: Letters of a password once digits and symbols are stripped from both ends: ``zhangwei`` in ``zhangwei1988!``.
_CORE = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$", re.S)
#: Shorter cores (``abc`` in ``abc83920174``) are left alone: too many strong passwords would match.
MIN_CORE = 4


@functools.cache
def common_passwords():
    """The shipped list (see the header of ``common_passwords.txt.gz`` for its sources and licence)."""
    data = resources.files(__package__).joinpath("common_passwords.txt.gz").read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("# ") and line != "#")


def is_common(password):
    """True when the password, or its letters between leading and trailing digits and symbols, is on the list."""
    lowered = (password or "").casefold()
    words = common_passwords()
    if lowered in words:
        return True
    core = _CORE.match(lowered).group(1)
    return len(core) >= MIN_CORE and core in words
