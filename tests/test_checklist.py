"""The checklist and the deletion lists: grouped work, decisions first, dismissed items left out."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from browser import chromium, open_page, word_box

from audit.model import AccountInfo, Evidence, Finding, Item, Kind, Platform, Verdict
from audit.pipeline import AccountScan, ScanResult
from reports.checklist import plan, write_checklist, write_checklist_html
from reports.deleters import write_deleters
from reports.render import _private_open

SCORES = {"patient_reference": 0.9, "venting": 0.1, "grand_rounds": 0.1, "medical_advice": 0.0}


def f(platform: Platform, item_id: str, kind: Kind, action: str, decision: str | None = None, *, day: int = 1,
      text: str = "52M in bed 7", url: str | None = "auto") -> Finding:
    link = (f"https://x.com/doc/status/{item_id}" if platform == Platform.X
            else f"https://www.facebook.com/{item_id}") if url == "auto" else url
    item = Item(platform, item_id, kind, text, datetime(2020, 1, day, 3, 0, tzinfo=UTC), "src", url=link)
    verdict = Verdict(dict(SCORES), ("patient_reference",), 80, (Evidence("patient_reference", 0, 3, text[:3], "age"),), "age + sex")
    return Finding(item, verdict, action, decision)


def scan_of(*findings: Finding) -> ScanResult:
    accounts = [AccountScan(p, ["in.zip"], "test", AccountInfo(p, username=f"doc_{p}")) for p in (Platform.X, Platform.FACEBOOK)]
    return ScanResult(accounts, list(findings))


FINDINGS = [
    f(Platform.X, "10", Kind.POST, "lock", day=5),
    f(Platform.X, "11", Kind.POST, "delete", day=9),
    f(Platform.X, "12", Kind.REPLY, "delete", day=2),
    f(Platform.X, "13", Kind.POST, "delete", "keep"),           # dismissed by the user
    f(Platform.X, "14", Kind.POST, "review", "not_a_problem"),  # dismissed by the user
    f(Platform.X, "15", Kind.POST, "lock", "delete", day=3),    # the user chose to delete instead
    f(Platform.X, "16", Kind.DM, "delete", day=4),              # messages cannot go to a post deleter
    f(Platform.X, "17", Kind.POST, "review", day=6),
    f(Platform.X, "18", Kind.POST, "keep"),                     # nothing to do
    f(Platform.FACEBOOK, "fb1", Kind.COMMENT, "lock", day=7),
    f(Platform.FACEBOOK, "fb2", Kind.POST, "delete", day=8, url=None),
    f(Platform.FACEBOOK, "fb3", Kind.POST, "delete", "not_a_problem"),
]


def test_plan_groups_by_action_then_kind_in_date_order_without_dismissed():
    x, fb = plan(scan_of(*FINDINGS))
    assert list(x.groups) == ["delete", "lock", "review"]
    delete = {kind: [g.item.item_id for g in items] for kind, items in x.groups["delete"].items()}
    assert delete == {"dm": ["16"], "post": ["15", "11"], "reply": ["12"]}
    assert [g.item.item_id for g in x.groups["lock"]["post"]] == ["10"]
    assert [g.item.item_id for g in x.groups["review"]["post"]] == ["17"]
    assert x.dismissed == 2 and fb.dismissed == 1
    assert {k: [g.item.item_id for g in v] for k, v in fb.groups["delete"].items()} == {"post": ["fb2"]}


def test_checklist_markdown_and_html(tmp_path):
    result = scan_of(*FINDINGS)
    write_checklist(result, tmp_path / "checklist.md")
    write_checklist_html(result, tmp_path / "checklist.html")
    md = (tmp_path / "checklist.md").read_text()
    x_part, fb_part = md.split("## Facebook")
    assert "Protect your posts" in x_part and "Limit the audience of all past posts" in fb_part
    order = [x_part.index(h) for h in ("### Account-level steps", "#### Delete", "#### Lock:", "#### Look at again")]
    assert order == sorted(order)
    assert "(4 to delete, 1 to lock, 1 to review, 2 dismissed)" in x_part
    assert "<https://x.com/doc/status/15>" in x_part and "(your decision)" in x_part
    for gone in ("/status/13>", "/status/14>", "/status/18>", "fb3"):
        assert gone not in md
    assert "(no link: find it by date in the activity log)" in fb_part
    page = (tmp_path / "checklist.html").read_text()
    assert "This checklist contains sensitive text" in page and "<script" not in page
    assert 'href="https://x.com/doc/status/15"' in page and "status/13" not in page
    assert page.index("Account-level steps") < page.index("Delete") < page.index("Lock: X cannot limit one post")
    assert "#### Lock: X cannot limit one post" in x_part and "#### Lock (limit the audience or archive)" in fb_part
    assert "· Patient reference ·" in md and "· Patient reference ·" in page  # both name flags as the report does
    assert "patient reference" not in page and "patient_reference" not in page


def test_a_long_posts_quote_shows_the_flagged_words(tmp_path):
    filler = "Long day of charting and meetings, then more charting. " * 40
    long_post = f(Platform.X, "20", Kind.POST, "delete", text=filler + "71M in bed 9 pulled his lines again")
    start = long_post.item.text.index("71M")
    ev = (Evidence("patient_reference", 0, 8, "Long day", "wording typical of patient reference in the examples backscroll learned from"),
          Evidence("patient_reference", start, start + 3, "71M", "age and sex in clinical shorthand"))
    # the learned words at the start must not pull the quote away from the rule's finding
    long_post = Finding(long_post.item, Verdict(dict(SCORES), ("patient_reference",), 80, ev, "age + sex"), "delete")
    short = f(Platform.X, "21", Kind.POST, "delete", text="52M in bed 7 " + filler)
    write_checklist(scan_of(long_post, short), tmp_path / "checklist.md")
    write_checklist_html(scan_of(long_post, short), tmp_path / "checklist.html")
    md, page = (tmp_path / "checklist.md").read_text(), (tmp_path / "checklist.html").read_text()
    assert "71M in bed 9" in md and "71M in bed 9" in page
    assert "“…" in md and "“52M in bed 7 Long day" in md  # evidence at the start: quoted from the start


def test_deleter_files(tmp_path):
    paths = write_deleters(FINDINGS, tmp_path, _private_open, UTC)
    assert (tmp_path / "x-delete-ids.txt").read_text() == "12\n15\n11\n"  # own posts and replies, oldest first; no DM
    with (tmp_path / "x-delete.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["tweet_id"] for r in rows] == ["12", "15", "11"]
    assert rows[1]["decision"] == "delete" and rows[0]["decision"] == "recommended delete"
    assert rows[0]["created_at"] == "2020-01-02 03:00:00 +0000" and rows[0]["text"] == "52M in bed 7"
    with (tmp_path / "facebook-activity-log.csv").open(newline="") as fh:
        fb = list(csv.DictReader(fh))
    assert [(r["date"], r["action"], r["item_key"]) for r in fb] == [("2020-01-07", "lock", "facebook:fb1"),
                                                                       ("2020-01-08", "delete", "facebook:fb2")]
    assert fb[0]["link"] == "https://www.facebook.com/fb1" and fb[1]["link"] == ""
    assert (fb[0]["time"], fb[0]["utc_offset"]) == ("03:00", "UTC")
    assert "instagram_csv" not in paths  # no Instagram account, no file
    assert (tmp_path / "x-delete-ids.txt").stat().st_mode & 0o777 == 0o600


def test_meta_activity_log_rows_are_dated_as_the_log_shows_them_and_carry_only_web_links(tmp_path):
    """The activity log is laid out by local date; a link from the export may be anything."""
    rows = [f(Platform.FACEBOOK, "fb1", Kind.POST, "delete", day=1, url="javascript:alert(1)"),
            f(Platform.FACEBOOK, "fb2", Kind.POST, "delete", day=2)]
    write_deleters(rows, tmp_path, _private_open, ZoneInfo("America/New_York"))
    with (tmp_path / "facebook-activity-log.csv").open(newline="") as fh:
        fb = list(csv.DictReader(fh))
    assert [(r["date"], r["time"], r["utc_offset"]) for r in fb] == [("2019-12-31", "22:00", "UTC-05:00"),
                                                                     ("2020-01-01", "22:00", "UTC-05:00")]
    assert fb[0]["link"] == "" and fb[1]["link"] == "https://www.facebook.com/fb2"


def test_a_long_post_found_without_its_post_id_is_not_sent_to_a_deleter(tmp_path):
    note = f(Platform.X, "note-92", Kind.POST, "delete", day=3, url="https://x.com/doc")
    write_deleters([note, f(Platform.X, "11", Kind.POST, "delete")], tmp_path, _private_open, UTC)
    assert (tmp_path / "x-delete-ids.txt").read_text() == "11\n"


def test_account_steps_fit_what_the_export_shows():
    from reports.checklist import ACCOUNT_STEPS, account_steps

    x = AccountScan(Platform.X, ["in.zip"], "test", AccountInfo(Platform.X, username="doc"))
    posts_only = [f(Platform.X, "11", Kind.POST, "delete")]
    assert not any("direct messages" in s for s in account_steps(x, posts_only))
    assert account_steps(x, FINDINGS) == ACCOUNT_STEPS[Platform.X]  # a DM among them, nothing protected
    assert account_steps(x, [f(Platform.X, "16", Kind.DM, "delete")])[0] == ACCOUNT_STEPS[Platform.X][0]  # no posts: not "protected"
    ig = AccountScan(Platform.INSTAGRAM, ["ig.zip"], "test", AccountInfo(Platform.INSTAGRAM, username="doc", protected=True))
    steps = account_steps(ig, [])
    assert steps[0].startswith("Your account is private") and len(steps) == len(ACCOUNT_STEPS[Platform.INSTAGRAM])


def test_printable_checklist_shows_bidi_controls_instead_of_applying_them(tmp_path: Path) -> None:
    """An unterminated U+202E drew the quoted post backwards and pulled the closing quote to the front."""
    text = "\u202e 4 shots of fireball deep in the call room lmao"
    result = scan_of(f(Platform.X, "10", Kind.POST, "delete", text=text))
    result.accounts[0].info = AccountInfo(Platform.X, username="doc\u202eevil")
    write_checklist_html(result, tmp_path / "checklist.html")
    with chromium() as browser:
        page = open_page(browser, tmp_path / "checklist.html", js=False)
        quote = page.locator("li .quote")
        assert "\u202e" not in quote.text_content() and quote.locator(".bidi").all_text_contents() == ["⟨RLO⟩"]
        xs = [word_box(page, "li .quote", w) for w in ("“", "4", "shots", "lmao", "”")]
        assert [b["left"] for b in xs] == sorted(b["left"] for b in xs), xs  # quotes around the post, read left to right
        heading = page.locator("h2").first
        assert heading.locator(".bidi").all_text_contents() == ["⟨RLO⟩"] and "\u202e" not in heading.text_content()
