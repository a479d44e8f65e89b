"""Images drawn at test time: a patient monitor, a whiteboard with fake names, holiday photos.

Every name, number and place here is invented. Used by tests/test_media.py and
bench/media.py, so nothing binary is checked in.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import sys
import zipfile
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FAKE_NAMES = ("Maria Lopez", "John Carter", "Aisha Patel", "Tom Becker")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def monitor(width: int = 1200, height: int = 800, seed: int = 1) -> Image.Image:
    """A bedside monitor: black screen, ECG and pleth traces, vitals in large coloured digits."""
    rng = random.Random(seed)
    img = Image.new("RGB", (width, height), (5, 8, 10))
    draw = ImageDraw.Draw(img)
    trace_w = int(width * 0.68)
    for row, colour in enumerate(((40, 230, 60), (230, 60, 50), (80, 200, 255))):
        base = int(height * (0.2 + 0.27 * row))
        points = []
        for x in range(20, trace_w, 4):
            phase = (x % 160) / 160
            y = -70 if 0.30 < phase < 0.34 else (25 if 0.34 <= phase < 0.37 else rng.randint(-4, 4))
            if colour[1] == 60:  # pleth: a smooth wave
                y = int(-30 * math.sin(2 * math.pi * phase))
            points.append((x, base + y))
        draw.line(points, fill=colour, width=4)
    big, small = font(70), font(34)
    x0 = trace_w + 40
    draw.text((x0, 60), "HR", fill=(40, 230, 60), font=small)
    draw.text((x0 + 80, 40), "128", fill=(40, 230, 60), font=big)
    draw.text((x0, 260), "SpO2", fill=(80, 200, 255), font=small)
    draw.text((x0 + 110, 240), "91", fill=(80, 200, 255), font=big)
    draw.text((x0, 460), "NIBP", fill=(230, 60, 50), font=small)
    draw.text((x0, 510), "142/88", fill=(230, 60, 50), font=big)
    draw.text((30, height - 60), "BED 12  LOPEZ, MARIA", fill=(230, 230, 230), font=small)
    return img


def whiteboard(width: int = 1400, height: int = 900, names: tuple[str, ...] = FAKE_NAMES) -> Image.Image:
    """A unit whiteboard: grey frame, white board, room numbers and fake patient names in black marker."""
    img = Image.new("RGB", (width, height), (120, 110, 100))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 50, width - 60, height - 50), fill=(245, 245, 242))
    big = font(64)
    draw.text((110, 80), "ROOM   PATIENT   RN", fill=(20, 20, 20), font=big)
    for i, name in enumerate(names):
        y = 200 + i * 150
        draw.text((110, y), f"Rm {12 + i}   {name}   Kim", fill=(15, 15, 15), font=big)
        draw.line((100, y + 110, width - 100, y + 110), fill=(150, 150, 150), width=2)
    return img


def holiday(seed: int = 0, width: int = 1200, height: int = 800, *, grain: bool = True) -> Image.Image:
    """A photo with no text: sky gradient, sun, sea or hills, a few blobs; varied by `seed`.

    `grain` adds Pillow's noise, which depends on how much noise the process drew before: without it, the
    same seed draws the same picture in any test order."""
    rng = random.Random(seed)
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    night = rng.random() < 0.15
    top = (10, 15, 40) if night else (rng.randint(40, 120), rng.randint(110, 170), rng.randint(200, 255))
    bottom = (30, 30, 60) if night else (rng.randint(170, 240), rng.randint(190, 230), rng.randint(220, 255))
    horizon = int(height * rng.uniform(0.45, 0.7))
    for y in range(horizon):
        t = y / horizon
        draw.line((0, y, width, y), fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    ground = rng.choice(((30, 90, 160), (200, 180, 130), (60, 120, 50), (235, 235, 240)))
    draw.rectangle((0, horizon, width, height), fill=ground)
    for _ in range(rng.randint(1, 4)):  # hills
        cx, w, h = rng.randint(0, width), rng.randint(200, 600), rng.randint(60, 240)
        colour = (rng.randint(30, 90), rng.randint(70, 140), rng.randint(30, 80))
        draw.polygon(((cx - w, horizon), (cx, horizon - h), (cx + w, horizon)), fill=colour)
    sun = (255, 240, 180) if not night else (240, 240, 220)
    sx, sy, r = rng.randint(100, width - 100), rng.randint(60, horizon // 2 + 60), rng.randint(30, 70)
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=sun)
    for _ in range(rng.randint(0, 6)):  # people, umbrellas, boats
        x, y = rng.randint(0, width), rng.randint(horizon, height - 40)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.ellipse((x, y - 90, x + 40, y), fill=colour)
    for _ in range(rng.randint(0, 3)):  # trees: clustered leaves, the texture most like print at a distance
        tx, ty = rng.randint(0, width), rng.randint(horizon - 200, horizon)
        for _ in range(160):
            x, y = tx + int(rng.gauss(0, 50)), ty + int(rng.gauss(0, 60))
            g = rng.randint(60, 170)
            draw.ellipse((x, y, x + rng.randint(4, 12), y + rng.randint(3, 9)), fill=(g // 3, g, g // 4))
    if ground[2] > 150:  # waves: short bright horizontal strokes, the texture most like lines of text
        for _ in range(rng.randint(20, 120)):
            x, y = rng.randint(0, width), rng.randint(horizon, height)
            draw.line((x, y, x + rng.randint(15, 60), y), fill=(250, 250, 255), width=2)
    if night:
        for _ in range(40):  # city lights
            x, y = rng.randint(0, width), rng.randint(horizon - 80, horizon + 40)
            draw.ellipse((x, y, x + 6, y + 6), fill=(255, rng.randint(180, 255), 120))
    noise = Image.effect_noise((width, height), rng.uniform(4, 14)).convert("RGB")
    return Image.blend(img, noise, 0.06) if grain else img


def portrait(width: int = 1000, height: int = 1000) -> Image.Image:
    """A studio portrait: pale backdrop, a bright orange jacket, dark hair, a black helmet on a dark table.

    Dark patches scattered about the frame and a large block of colour: no screen, though a check that
    boxes every dark patch together and counts all colour inside the box as traces would see one.
    """
    img = Image.new("RGB", (width, height), (205, 200, 192))
    draw = ImageDraw.Draw(img)
    draw.ellipse((int(width * 0.38), int(height * 0.05), int(width * 0.62), int(height * 0.3)), fill=(25, 18, 12))  # hair
    draw.ellipse((int(width * 0.42), int(height * 0.1), int(width * 0.58), int(height * 0.3)), fill=(225, 180, 150))  # face
    draw.rectangle((int(width * 0.05), int(height * 0.55), int(width * 0.6), height), fill=(235, 95, 25))  # jacket
    draw.rectangle((int(width * 0.65), int(height * 0.55), width, int(height * 0.62)), fill=(15, 15, 18))  # table top
    draw.ellipse((int(width * 0.62), int(height * 0.6), width - 20, height - 20), fill=(10, 10, 14))  # helmet
    draw.rectangle((0, 0, int(width * 0.06), int(height * 0.45)), fill=(12, 15, 40))  # a dark flag edge
    return img


def rational(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1_000_000)


def to_dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return Fraction(degrees), Fraction(minutes), rational(seconds)


def jpeg(img: Image.Image, *, gps: tuple[float, float] | None = None, taken: datetime | None = None,
         camera: tuple[str, str] | None = None, quality: int = 88) -> bytes:
    """JPEG bytes with EXIF written by Pillow: GPS IFD 0x8825, DateTimeOriginal in the Exif IFD, Make/Model."""
    exif = Image.Exif()
    if camera:
        exif[0x010F], exif[0x0110] = camera
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update({1: "N" if lat >= 0 else "S", 2: to_dms(lat), 3: "E" if lon >= 0 else "W", 4: to_dms(lon)})
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def x_export(dest: Path, media: dict[str, tuple[str, bytes]], *, stored: bool = False) -> Path:
    """A minimal X archive: `data/tweets.js` with one tweet per entry of `media` ({tweet_id: (text, file bytes)})."""
    tweets = []
    for tid, (text, _) in media.items():
        m = {"media_url_https": f"https://pbs.twimg.com/media/{tid}x.jpg", "type": "photo", "url": "https://t.co/x"}
        tweets.append({"tweet": {"id_str": tid, "full_text": text, "created_at": "Tue Mar 05 22:14:00 +0000 2024",
                                 "entities": {"media": [m]}, "extended_entities": {"media": [m]}}})
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(dest, "w", method) as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))
        for tid, (_, data) in media.items():
            zf.writestr(f"data/tweets_media/{tid}-{tid}x.jpg", data)
    return dest


def x_media(name: str, kind: str, video: str | None = None) -> dict:
    """One `extended_entities.media` entry; a `video` file name adds X's variants, that one the highest bitrate."""
    m: dict = {"media_url_https": f"https://pbs.twimg.com/media/{name}", "type": kind, "url": "https://t.co/x"}
    if video:
        base = "https://video.twimg.com/ext_tw_video/1/pu"
        m["video_info"] = {"variants": [
            {"bitrate": "256000", "content_type": "video/mp4", "url": f"{base}/vid/avc1/480x270/small{video}?tag=12"},
            {"content_type": "application/x-mpegURL", "url": f"{base}/pl/playlist.m3u8?tag=12"},
            {"bitrate": "2176000", "content_type": "video/mp4", "url": f"{base}/vid/avc1/1280x720/{video}?tag=12"}]}
    return m


def x_archive(dest: Path, tweets: dict[str, list[tuple[str, ...]]], files: dict[str, bytes],
              messages: dict[str, str] | None = None) -> Path:
    """An X archive as X writes it: {tweet id: [(media url name, type[, video file name])]}, {message id: ton.twitter.com url},
    and the files, named `data/tweets_media/<tweet id>-<name>` or `data/direct_messages_media/<message id>-<name>`."""
    records = []
    for tid, media in tweets.items():
        ms = [x_media(*m) for m in media]
        records.append({"tweet": {"id_str": tid, "full_text": f"post {tid}", "created_at": "Tue Mar 05 22:14:00 +0000 2024",
                                  "entities": {"media": ms[:1]}, "extended_entities": {"media": ms}}})
    conversation = [{"messageCreate": {"id": mid, "senderId": "111", "recipientId": "222", "text": f"message {mid}",
                                       "createdAt": "2024-03-05T22:14:00.000Z", "mediaUrls": [url]}}
                    for mid, url in (messages or {}).items()]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/account.js", 'window.YTD.account.part0 = [{"account":{"accountId":"111","username":"drtest"}}]')
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(records))
        zf.writestr("data/direct-messages.js", "window.YTD.direct_messages.part0 = "
                    + json.dumps([{"dmConversation": {"conversationId": "111-222", "messages": conversation}}]))
        for path, data in files.items():
            zf.writestr(path, data)
    return dest


def held_in_a_video(tmp_path: Path, seconds: int) -> tuple[Path, dict[str, str], Path]:
    """(an X archive with one video, an environment, its temporary folder) for a scan held inside that video:
    the environment's ffmpeg writes `<its input>.started`, then sleeps `seconds`, as a long video takes."""
    tmp, bin_dir = tmp_path / "tmp", tmp_path / "bin"
    tmp.mkdir()
    bin_dir.mkdir()
    ffmpeg = bin_dir / "ffmpeg"
    ffmpeg.write_text("#!" + sys.executable + "\nimport sys, time\nargs = sys.argv[1:]\n"
                      f"open(args[args.index('-i') + 1] + '.started', 'w').close()\ntime.sleep({seconds})\n")
    ffmpeg.chmod(0o755)
    export = x_archive(tmp_path / "x.zip", {"7001": [("POSTER.jpg", "video")]},
                       {"data/tweets_media/7001-clip.mp4": b"\x00\x00\x00\x18ftypmp42" * 100_000})
    env = {**os.environ, "TMPDIR": str(tmp), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return export, env, tmp


FB_MEDIA = "your_facebook_activity/posts/media/Mobileuploads_1/"


def fb_export(dest: Path, posts: dict[str, tuple[str, bytes | None, dict]], *, posted: datetime = datetime(2024, 3, 5, 10)) -> Path:
    """A 2024-layout Facebook export: one post per entry of `posts` ({name: (text, photo bytes or None, exif_data)}).

    Meta strips EXIF from the files it exports and keeps it in the JSON (`exif_data`: `taken_timestamp`, a Unix
    time, and `latitude`/`longitude`); a photo given as None is named in the JSON but left out of the zip.
    """
    def mojibake(text: str) -> str:  # Meta writes each UTF-8 byte as its own escape
        return text.encode("utf-8").decode("latin-1")

    stamp = int(posted.timestamp())
    records = []
    for n, (name, (text, _, exif)) in enumerate(posts.items()):
        media = {"uri": FB_MEDIA + name, "creation_timestamp": stamp + n, "title": "Mobile Uploads",
                 "media_metadata": {"photo_metadata": {"exif_data": [exif]}}}
        records.append({"timestamp": stamp + n, "attachments": [{"data": [{"media": media}]}], "data": [{"post": mojibake(text)}]})
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json", json.dumps(records))
        zf.writestr("personal_information/profile_information/profile_information.json",
                    json.dumps({"profile_v2": {"name": {"full_name": "Dana Whitfield"}}}))
        for name, (_, data, _) in posts.items():
            if data is not None:
                zf.writestr(FB_MEDIA + name, data)
    return dest


def chart_screenshot(width: int = 1080, height: int = 2340, text_size: int = 40) -> Image.Image:
    """A phone screenshot of a chart: a coloured header bar, then lines of small dark text on white."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, 220), fill=(20, 90, 170))
    draw.text((40, 80), "Patient Chart", fill=(255, 255, 255), font=font(56))
    rows = ("Name: Lopez, Maria", "DOB: 03/14/1958   MRN 4402913", "Admit: 03/05/2024 22:14", "Dx: NSTEMI",
            "Allergies: penicillin", "Meds: heparin gtt, ASA 81 mg", "Vitals: HR 128  BP 142/88  SpO2 91%",
            "Plan: cath lab in AM, NPO after midnight")
    for i, row in enumerate(rows * 3):
        draw.text((40, 280 + i * int(text_size * 2.2)), row, fill=(30, 30, 30), font=font(text_size))
    return img


def in_scene(inner: Image.Image, scale: float, seed: int = 0) -> Image.Image:
    """`inner` shrunk to `scale` of a holiday-like scene, as a whiteboard in the background of a selfie."""
    scene = holiday(seed)
    w = int(scene.width * scale)
    h = int(inner.height * w / inner.width)
    scene.paste(inner.resize((w, h)), ((scene.width - w) // 2, max(0, (scene.height - h) // 3)))
    return scene


def card(lines: tuple[str, ...], *, width: int = 1200, height: int = 800, paper: tuple[int, int, int] = (250, 250, 245),
         text_size: int = 56) -> Image.Image:
    """A card or label photographed on a wooden table: a pale rectangle with lines of dark print."""
    img = Image.new("RGB", (width, height), (120, 85, 55))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((80, 80, width - 80, height - 80), radius=30, fill=paper)
    for i, line in enumerate(lines):
        draw.text((140, 130 + i * int(text_size * 1.6)), line, fill=(25, 25, 30), font=font(text_size))
    return img


HOTEL_KEY_CARD = ("HARBOUR VIEW HOTEL", "Guest: Maria Lopez", "Room 412", "Check-in 03/05/2024")
CONCERT_TICKET = ("ADMIT ONE", "John Carter", "Section 112 Row 14 Seat 7", "Gate C  Doors 7pm")
WRISTBAND = ("LOPEZ, MARIA", "DOB 03/14/1958", "MRN 4402913", "Ward 4B  Bed 12")


def chat_screenshot(width: int = 1080, height: int = 2340, text_size: int = 42, *, replies: bool = True,
                    bubble: tuple[int, int, int] = (10, 132, 255)) -> Image.Image:
    """A phone screenshot of a message thread: white text in coloured bubbles (sent), dark text in grey ones (replies)."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    sent = ("Bed 12 Maria Lopez is back from CT", "DOB 03/14/1958, MRN 4402913", "can you chase her bloods")
    received = ("On it, is she still NPO?", "yes until the surgeons see her")
    thread = [(line, True) for line in sent]
    if replies:
        thread[1:1] = [(received[0], False)]
        thread.append((received[1], False))
    y = 260
    for line, mine in thread:
        w = int(draw.textlength(line, font=font(text_size))) + 70
        x = width - w - 40 if mine else 40
        draw.rounded_rectangle((x, y, x + w, y + text_size + 60), radius=40, fill=bubble if mine else (233, 233, 235))
        draw.text((x + 35, y + 28), line, fill=(255, 255, 255) if mine else (0, 0, 0), font=font(text_size))
        y += text_size + 110
    return img


def sticky_note(width: int = 1200, height: int = 900) -> Image.Image:
    """A yellow sticky note with a handover in dark blue pen, on a grey desk."""
    img = Image.new("RGB", (width, height), (150, 150, 155))
    draw = ImageDraw.Draw(img)
    draw.rectangle((150, 80, width - 150, height - 80), fill=(255, 235, 90))
    for i, line in enumerate(("Rm 14 John Carter", "DOB 07/02/1961", "MRN 5510287", "NPO after midnight")):
        draw.text((210, 140 + i * 150), line, fill=(20, 30, 110), font=font(72))
    return img


def slide(background: tuple[int, int, int], ink: tuple[int, int, int], width: int = 1600, height: int = 900) -> Image.Image:
    """A teaching slide: large print in one colour on a flat background of another."""
    img = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(("Case: Maria Lopez, 66F", "DOB 03/14/1958  MRN 4402913", "Admitted with NSTEMI")):
        draw.text((100, 150 + i * 200), line, fill=ink, font=font(80))
    return img
