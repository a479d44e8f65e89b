"""EXIF time, GPS and camera from the file itself, merged with what the export recorded.

X serves the file as uploaded minus most EXIF; Meta strips the file but keeps
the facts in its JSON (already on `Media`). Either way, coordinates that
survive in a shared file are a finding: anyone who saves the photo has them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from audit.media.findings import Metadata
from audit.model import Media

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
MAKE, MODEL, DATETIME = 0x010F, 0x0110, 0x0132
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
EARTH_RADIUS_M = 6_371_008.8


def from_file(exif: Any) -> Metadata:
    """Metadata from a Pillow `Image.Exif` (or any mapping with `get_ifd`); never raises on odd values."""
    try:
        exif_ifd = exif.get_ifd(EXIF_IFD) or {}
        gps_ifd = exif.get_ifd(GPS_IFD) or {}
    except Exception:  # a malformed IFD offset: keep what the base IFD has
        exif_ifd, gps_ifd = {}, {}
    taken = _exif_time(exif_ifd.get(DATETIME_ORIGINAL) or exif.get(DATETIME), exif_ifd.get(OFFSET_TIME_ORIGINAL))
    lat, lon = gps_position(gps_ifd)
    camera = " ".join(p for p in (_text(exif.get(MAKE)), _text(exif.get(MODEL))) if p) or None
    return Metadata(taken_at=taken, local_time=taken is not None, latitude=lat, longitude=lon, camera=camera,
                    gps_in_file=lat is not None, sources=("file",) if (taken or lat is not None or camera) else ())


def merge(file_meta: Metadata, media: Media, to_local: Callable[[datetime], datetime] | None = None) -> Metadata:
    """The file's own facts win; the export's fill the gaps (Meta keeps EXIF in JSON after stripping the file).

    `to_local` reads the export's time, when it is an instant (Facebook's Unix time), in the scan's zone.
    """
    from_export = media.taken_at is not None or media.latitude is not None or media.camera is not None
    lat, lon = file_meta.latitude, file_meta.longitude
    if lat is None and _valid(media.latitude, media.longitude):
        lat, lon = media.latitude, media.longitude
    taken, local = file_meta.taken_at, file_meta.local_time
    if taken is None and media.taken_at is not None:
        if to_local is not None and media.taken_at.tzinfo is not None:
            taken, local = to_local(media.taken_at), True
        else:
            taken, local = media.taken_at, False
    sources = file_meta.sources + (("export",) if from_export else ())
    return Metadata(taken_at=taken, local_time=local, latitude=lat, longitude=lon, camera=file_meta.camera or media.camera,
                    gps_in_file=file_meta.gps_in_file, sources=sources)


def gps_position(gps: Mapping[int, Any]) -> tuple[float | None, float | None]:
    """(lat, lon) in decimal degrees from a GPS IFD, or (None, None) when absent, partial or impossible."""
    lat = dms_to_decimal(gps.get(GPS_LAT), gps.get(GPS_LAT_REF))
    lon = dms_to_decimal(gps.get(GPS_LON), gps.get(GPS_LON_REF))
    if not _valid(lat, lon):
        return None, None
    return lat, lon


def dms_to_decimal(dms: Any, ref: Any) -> float | None:
    """Degrees/minutes/seconds (rationals) to signed decimal degrees; S and W are negative."""
    if dms is None:
        return None
    try:
        parts = [float(p) for p in (dms if isinstance(dms, tuple | list) else (dms,))]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or len(parts) > 3 or any(math.isnan(p) or math.isinf(p) or p < 0 for p in parts):
        return None
    value = sum(p / 60**i for i, p in enumerate(parts))
    ref_text = _text(ref).upper()[:1]
    return -value if ref_text in ("S", "W") else value


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance; metres of error are irrelevant at hospital scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _valid(lat: float | None, lon: float | None) -> bool:
    """Null Island (0, 0) is what broken GPS writes, not a place anyone works."""
    if lat is None or lon is None:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (abs(lat) < 1e-6 and abs(lon) < 1e-6)


def _exif_time(raw: Any, offset: Any) -> datetime | None:
    """EXIF `YYYY:MM:DD HH:MM:SS` is the camera's local time; `OffsetTimeOriginal` says which zone when present."""
    text = _text(raw)
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    tz = _offset(_text(offset))
    return moment.replace(tzinfo=tz) if tz else moment


def _offset(text: str) -> timezone | None:
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        delta = timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))
    except ValueError:
        return None
    return timezone(-delta if text[0] == "-" else delta)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).replace("\x00", "").strip() if value is not None else ""
