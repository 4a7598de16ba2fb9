"""The bulletin archive (通报): one workbook per month in a folder, listed and served by strict name."""
import os
import re
from datetime import date

from flask import current_app

#: Archive files: bulletin-2026-10.xlsx (the month the bulletin reports on).
NAME_PATTERN = re.compile(r"bulletin-(\d{4})-(0[1-9]|1[0-2])\.xlsx")


def folder():
    """The archive folder: LIAISON_BULLETIN_FOLDER, else instance/bulletins."""
    configured = current_app.config.get("LIAISON_BULLETIN_FOLDER")
    return configured or os.path.join(current_app.instance_path, "bulletins")


def file_name(year, month):
    """The archive name of a month's bulletin."""
    return f"bulletin-{year:04d}-{month:02d}.xlsx"


def archive():
    """The archived bulletins, newest first: ``[(name, date of the month's first day, size in bytes)]``."""
    path = folder()
    if not os.path.isdir(path):
        return []
    found = []
    for name in os.listdir(path):
        match = NAME_PATTERN.fullmatch(name)
        full = os.path.join(path, name)
        if match and os.path.isfile(full):
            found.append((name, date(int(match[1]), int(match[2]), 1), os.path.getsize(full)))
    return sorted(found, key=lambda item: item[1], reverse=True)


def path_of(name):
    """The full path of an archived bulletin, or None when the name is not one (no other file is served)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return None
    full = os.path.join(folder(), name)
    return full if os.path.isfile(full) else None
