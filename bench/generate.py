"""Build large synthetic exports in the real layouts, for the benchmarks.

    python bench/generate.py x --posts 200000 --media-mb 2048 --out bench/out/x-200k.zip
    python bench/generate.py facebook --posts 50000 --media-mb 1024 --out bench/out/fb-50k.zip

Posts are stitched from phrase pools so the classifier sees realistic
lengths and a realistic share of risky posts (about 1 in 12). Media files are
stored uncompressed and never read by a scan: they are there to show it.
"""

from __future__ import annotations

import argparse
import json
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

OPENERS = ["so", "ok", "honestly", "today", "lol", "friendly reminder:", "hot take:", "update:", "ugh", "wow", "", "", ""]
EVERYDAY = [
    "made sourdough again and it actually rose", "the dog ate my stethoscope cover", "marathon training week 6 done",
    "anyone have a good podcast for the commute", "new glasses, who dis", "coffee is a food group", "finally saw the new movie",
    "my kid lost her first tooth", "rain all weekend, perfect for studying", "booked flights for the conference in March",
    "great journal club on the new heart failure trial", "flu shots at the pharmacy are free this month",
    "we're hiring nurses on the night team, message me", "passed boards!!!", "so tired after three nights in a row",
]
RISKY = [
    "{age}{sex} in bed {bed} came in at {hour}am after a rollover on Route {road}",
    "frequent flyer back again tonight, these people never learn",
    "so drunk after the holiday party lmao don't tell the PD",
    "@{user} just double your {drug} tonight, no need for the ER",
    "the {job} from {town} is in our ICU rn, small town so everyone knows",
    "look at this CT from room {bed}, never seen anything like it",
]
DRUGS = ["metoprolol", "lisinopril", "prednisone", "ibuprofen", "insulin"]
JOBS = ["mayor", "high school coach", "pastor", "news anchor"]
TOWNS = ["Springfield", "Riverton", "Oak Falls", "Millbrook"]


def post_text(rng: random.Random) -> str:
    if rng.random() < 1 / 12:
        return rng.choice(RISKY).format(
            age=rng.randint(18, 95), sex=rng.choice("MF"), bed=rng.randint(1, 40), hour=rng.randint(1, 11),
            road=rng.randint(1, 99), user=f"friend{rng.randint(1, 500)}", drug=rng.choice(DRUGS), job=rng.choice(JOBS),
            town=rng.choice(TOWNS),
        )
    parts = [rng.choice(OPENERS), rng.choice(EVERYDAY)]
    if rng.random() < 0.5:
        parts.append(rng.choice(EVERYDAY))
    if rng.random() < 0.3:
        parts.append(f"#{rng.choice(['medtwitter', 'nursing', 'residentlife', 'weekend'])}")
    return " ".join(p for p in parts if p).replace("&", "&amp;")


def _media(zf: zipfile.ZipFile, folder: str, total_mb: int, rng: random.Random) -> None:
    chunk = bytes(rng.getrandbits(8) for _ in range(1 << 16)) * 16  # 1 MiB of incompressible-looking bytes
    for i in range(total_mb):
        zf.writestr(zipfile.ZipInfo(f"{folder}/{1000 + i}-media{i}.jpg", (2024, 1, 1, 0, 0, 0)), chunk, compress_type=zipfile.ZIP_STORED)


def x_archive(out: Path, posts: int, media_mb: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    per_part = 50_000
    files = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("Your archive.html", "<html></html>")
        zf.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(
            [{"account": {"username": "bench_user", "accountId": "42", "accountDisplayName": "Bench"}}]))
        for part, first in enumerate(range(0, posts, per_part)):
            rows = []
            for i in range(first, min(first + per_part, posts)):
                when = start + timedelta(minutes=37 * i)
                text = post_text(rng)
                rows.append({"tweet": {
                    "id_str": str(10**17 + i), "id": str(10**17 + i), "full_text": text,
                    "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "favorite_count": str(i % 9), "retweet_count": "0",
                    "entities": {"urls": [], "user_mentions": [], "hashtags": []}, "lang": "en", "retweeted": False,
                }})
            name = "data/tweets.js" if part == 0 else f"data/tweets-part{part}.js"
            files.append({"fileName": name, "globalName": f"YTD.tweets.part{part}", "count": str(len(rows))})
            zf.writestr(name, f"window.YTD.tweets.part{part} = " + json.dumps(rows, indent=1))
        conversations = []
        for c in range(posts // 100):
            messages = [{"messageCreate": {
                "id": str(9 * 10**17 + c * 10 + k), "senderId": "42" if k % 2 else str(500 + c), "recipientId": "0",
                "text": post_text(rng), "createdAt": (start + timedelta(hours=c, minutes=k)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }} for k in range(5)]
            conversations.append({"dmConversation": {"conversationId": f"42-{500 + c}", "messages": messages}})
        zf.writestr("data/direct-messages.js", "window.YTD.direct_messages.part0 = " + json.dumps(conversations, indent=1))
        zf.writestr("data/manifest.js", "window.__THAR_CONFIG = " + json.dumps({
            "userInfo": {"accountId": "42", "userName": "bench_user"}, "dataTypes": {"tweets": {"files": files}}}))
        _media(zf, "data/tweets_media", media_mb, rng)


def facebook_export(out: Path, posts: int, media_mb: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    start = 1_330_000_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("personal_information/profile_information/profile_information.json", json.dumps(
            {"profile_v2": {"name": {"full_name": "Bench User"}, "username": "bench.user"}}))
        rows = [{"timestamp": start + i * 3600, "data": [{"post": post_text(rng).replace("&amp;", "&")}],
                 "title": "Bench User updated her status."} for i in range(posts)]
        for part in range(0, posts, 25_000):
            n = part // 25_000 + 1
            zf.writestr(f"your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_{n}.json",
                        json.dumps(rows[part:part + 25_000], indent=2, ensure_ascii=True))
        comments = [{"timestamp": start + i * 1800, "data": [{"comment": {"timestamp": start + i * 1800,
                     "comment": post_text(rng).replace("&amp;", "&"), "author": "Bench User"}}],
                     "title": "Bench User commented on a post."} for i in range(posts // 2)]
        zf.writestr("your_facebook_activity/comments_and_reactions/comments.json", json.dumps({"comments_v2": comments}, indent=2))
        _media(zf, "your_facebook_activity/posts/media/bench", media_mb, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("platform", choices=["x", "facebook"])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--media-mb", type=int, default=2048)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    (x_archive if args.platform == "x" else facebook_export)(args.out, args.posts, args.media_mb)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
