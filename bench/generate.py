"""Build large synthetic exports in the real layouts, for the benchmarks.

    python bench/generate.py x --posts 200000 --media-mb 2048 --out bench/out/x-200k.zip
    python bench/generate.py facebook --posts 50000 --media-mb 1024 --out bench/out/fb-50k.zip

Posts are stitched from phrase pools so the classifier sees realistic
lengths and a realistic share of risky posts (about 1 in 12). X records have
the shape and size of a real 2024 tweets.js record (about 1.8 KB pretty-printed:
edit_info, source, entities with mentions, links and hashtags,
display_text_range, extended_entities with photo sizes on 15% of posts; 30%
replies, 10% retweets), so the floor of merely parsing them is honest. DMs come
one-to-one and in group chats with join, rename and leave events. Media files
are named as the exporter names them, stored uncompressed and never read by a
scan: they are there to make the zip as large as a real one.
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


SOURCES = [
    '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
    '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
    '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
]
HASHTAGS = ["medtwitter", "nursing", "residentlife", "weekend", "FOAMed", "EMtwitter"]
FRIENDS = [f"friend{n}" for n in range(1, 500)]
X_TIME = "%a %b %d %H:%M:%S +0000 %Y"
ISO_MS = "%Y-%m-%dT%H:%M:%S.000Z"
# The real exporter pretty-prints with `" : "` between key and value.
PRETTY = {"indent": 2, "separators": (",", " : "), "ensure_ascii": False}


def _media(zf: zipfile.ZipFile, names: list[str], total_mb: int, rng: random.Random) -> None:
    """Dummy photos named as the exporter names them; stored, so the zip is as large as the real one."""
    chunk = bytes(rng.getrandbits(8) for _ in range(1 << 16)) * 16  # 1 MiB of incompressible-looking bytes
    for i in range(total_mb):
        name = names[i] if i < len(names) else f"data/tweets_media/{1000 + i}-extra{i}.jpg"
        zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), chunk, compress_type=zipfile.ZIP_STORED)


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))


def _media_entity(tid: str, url: str, start: int, n: int, rng: random.Random) -> dict[str, object]:
    media_id = str(int(tid) + n + 1)
    key = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") for _ in range(15))
    size = {"w": "1200", "h": "900", "resize": "fit"}
    return {
        "expanded_url": f"https://twitter.com/bench_user/status/{tid}/photo/{n + 1}", "indices": [str(start), str(start + 23)],
        "url": url, "media_url": f"http://pbs.twimg.com/media/{key}.jpg", "id_str": media_id, "id": media_id,
        "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg",
        "sizes": {"thumb": {"w": "150", "h": "150", "resize": "crop"}, "small": {"w": "680", "h": "510", "resize": "fit"},
                  "medium": size, "large": size},
        "type": "photo", "display_url": f"pic.twitter.com/{url[-10:]}",
    }


def tweet_record(i: int, when: datetime, rng: random.Random) -> dict[str, object]:
    """One tweets.js record in the shape and size of a real 2024 one (export-formats.md 1.2)."""
    tid = str(1_500_000_000_000_000_000 + i * 4096)
    roll = rng.random()
    mentions, urls, hashtags = [], [], []
    text = post_text(rng)
    reply = roll < 0.3
    if reply:
        who = rng.choice(FRIENDS)
        text = f"@{who} {text}"
        mentions.append({"name": who.title(), "screen_name": who, "indices": ["0", str(len(who) + 1)], "id_str": str(7000 + len(who)),
                         "id": str(7000 + len(who))})
    elif roll < 0.4:
        who = rng.choice(FRIENDS)
        text = f"RT @{who}: {text}"[:140]
        mentions.append({"name": who.title(), "screen_name": who, "indices": ["3", str(len(who) + 4)], "id_str": "7001", "id": "7001"})
    for tag in HASHTAGS:
        at = text.find("#" + tag)
        if at >= 0:
            hashtags.append({"text": tag, "indices": [str(at), str(at + len(tag) + 1)]})
    if rng.random() < 0.15:
        short = _tco(rng)
        at = len(text) + 1
        text += " " + short
        urls.append({"url": short, "expanded_url": f"https://example.org/read/{i}", "display_url": f"example.org/read/{i}",
                     "indices": [str(at), str(at + 23)]})
    media: list[dict[str, object]] = []
    if rng.random() < 0.15:
        short = _tco(rng)
        at = len(text) + 1
        text += " " + short
        media = [_media_entity(tid, short, at, n, rng) for n in range(rng.choice((1, 1, 1, 2, 4)))]
    created = when.strftime(X_TIME)
    record: dict[str, object] = {
        "edit_info": {"initial": {"editTweetIds": [tid], "editableUntil": (when + timedelta(hours=1)).strftime(ISO_MS),
                                  "editsRemaining": "5", "isEditEligible": not reply}},
        "retweeted": False,
        "source": rng.choice(SOURCES),
        "entities": {"hashtags": hashtags, "symbols": [], "user_mentions": mentions, "urls": urls},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": str(rng.randint(0, 40)),
        "id_str": tid,
        "truncated": False,
        "retweet_count": str(rng.randint(0, 5)),
        "id": tid,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if reply:
        parent = str(int(tid) - 77)
        record.update(in_reply_to_status_id_str=parent, in_reply_to_status_id=parent, in_reply_to_user_id="7001",
                      in_reply_to_user_id_str="7001", in_reply_to_screen_name=mentions[0]["screen_name"])
    if media:
        record["possibly_sensitive"] = False
        record["entities"]["media"] = [{k: v for k, v in media[0].items()}]  # type: ignore[index]
        record["extended_entities"] = {"media": media}
    return {"tweet": record}


def _message(mid: int, sender: str, recipient: str | None, when: datetime, rng: random.Random) -> dict[str, object]:
    body: dict[str, object] = {"reactions": [], "urls": [], "text": post_text(rng), "mediaUrls": [], "senderId": sender,
                               "id": str(mid), "createdAt": when.strftime(ISO_MS), "editHistory": []}
    if recipient is not None:
        body["recipientId"] = recipient
    if rng.random() < 0.1:
        body["reactions"] = [{"senderId": recipient or "501", "reactionKey": "like", "eventId": str(mid + 1),
                              "createdAt": (when + timedelta(minutes=3)).strftime(ISO_MS)}]
    return {"messageCreate": body}


def dm_conversations(posts: int, start: datetime, rng: random.Random) -> list[dict[str, object]]:
    """One-to-one conversations, five messages each, newest first as the exporter writes them."""
    out = []
    for c in range(posts // 100):
        other = str(500 + c)
        msgs = [_message(9 * 10**17 + c * 10 + k, "42" if k % 2 else other, other if k % 2 else "42",
                         start + timedelta(hours=c, minutes=k), rng) for k in range(5)]
        out.append({"dmConversation": {"conversationId": f"42-{other}", "messages": msgs[::-1]}})
    return out


def group_conversations(posts: int, start: datetime, rng: random.Random) -> list[dict[str, object]]:
    """Group chats: messages without a recipient, mixed with join, leave and rename events."""
    out = []
    for g in range(posts // 1000):
        when = start + timedelta(days=g)
        people = ["42", *(str(600 + g + k) for k in range(3))]
        events: list[dict[str, object]] = [
            {"joinConversation": {"initiatingUserId": people[1], "participantsSnapshot": people, "createdAt": when.strftime(ISO_MS)}},
            {"conversationNameUpdate": {"initiatingUserId": "42", "name": f"night team {g}", "createdAt": when.strftime(ISO_MS)}},
        ]
        events += [_message(8 * 10**17 + g * 100 + k, people[k % 4], None, when + timedelta(minutes=k + 1), rng) for k in range(10)]
        events.append({"participantsLeave": {"userIds": [people[3]], "createdAt": (when + timedelta(hours=1)).strftime(ISO_MS)}})
        out.append({"dmConversation": {"conversationId": str(10**18 + g), "messages": events[::-1]}})
    return out


def _js(zf: zipfile.ZipFile, name: str, global_name: str, data: object) -> None:
    zf.writestr(name, f"window.YTD.{global_name} = " + json.dumps(data, **PRETTY))


def x_archive(out: Path, posts: int, media_mb: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    per_part = 50_000
    files = []
    media_names: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("Your archive.html", "<html></html>")
        _js(zf, "data/account.js", "account.part0",
            [{"account": {"email": "bench@example.org", "createdVia": "web", "username": "bench_user", "accountId": "42",
                          "createdAt": "2011-06-23T13:04:14.000Z", "accountDisplayName": "Bench"}}])
        _js(zf, "data/profile.js", "profile.part0",
            [{"profile": {"description": {"bio": "Night shift RN. Opinions mine.", "website": "", "location": "Springfield"}}}])
        for part, first in enumerate(range(0, posts, per_part)):
            rows = []
            for i in range(first, min(first + per_part, posts)):
                row = tweet_record(i, start + timedelta(minutes=37 * i), rng)
                tweet = row["tweet"]
                for m in tweet.get("extended_entities", {}).get("media", []):  # type: ignore[union-attr]
                    media_names.append(f"data/tweets_media/{tweet['id_str']}-{m['media_url'].rsplit('/', 1)[-1]}")
                rows.append(row)
            name = "data/tweets.js" if part == 0 else f"data/tweets-part{part}.js"
            files.append({"fileName": name, "globalName": f"YTD.tweets.part{part}", "count": str(len(rows))})
            _js(zf, name, f"tweets.part{part}", rows)
            del rows
        _js(zf, "data/direct-messages.js", "direct_messages.part0", dm_conversations(posts, start, rng))
        _js(zf, "data/direct-messages-group.js", "direct_messages_group.part0", group_conversations(posts, start, rng))
        zf.writestr("data/manifest.js", "window.__THAR_CONFIG = " + json.dumps({
            "userInfo": {"accountId": "42", "userName": "bench_user"}, "dataTypes": {"tweets": {"files": files}}}, **PRETTY))
        _media(zf, media_names, media_mb, rng)


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
        _media(zf, [f"your_facebook_activity/posts/media/bench/{1000 + i}-media{i}.jpg" for i in range(media_mb)], media_mb, rng)


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
