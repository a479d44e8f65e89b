"""The report: a data island no post can break out of, a strict CSP, decisions, timeline, redaction."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser import chromium, open_page, word_box
from click.testing import CliRunner

from audit.cli import cli
from audit.model import AccountInfo, Evidence, Finding, Item, Kind, Media, Platform, Verdict
from audit.pipeline import AccountScan, ScanResult
from reports import timeline
from reports.island import script_json
from reports.redact import redact_finding
from reports.render import _JSON, finding_json, finding_line, write_all, write_html

HOSTILE = "</script><script>alert(1)</script> <!-- \u2028 line\u2029 & <b>bold</b> 52M in bed 7"
SCORES = {"patient_reference": 0.9, "venting": 0.1, "grand_rounds": 0.1, "medical_advice": 0.0}


def finding(item_id: str, text: str, *, risk: int = 90, action: str = "delete", flags: tuple[str, ...] = ("patient_reference",),
            evidence: tuple[Evidence, ...] = (), url: str | None = None, kind: Kind = Kind.POST,
            when: datetime = datetime(2020, 7, 3, 2, 0, tzinfo=UTC), platform: Platform = Platform.X) -> Finding:
    item = Item(platform, item_id, kind, text, when, "data/tweets.js", url=url, account="doc")
    return Finding(item, Verdict(dict(SCORES), flags, risk, evidence, "age + sex + bed/room"), action)


def spans(text: str, *pairs: tuple[str, str]) -> tuple[Evidence, ...]:
    return tuple(Evidence("patient_reference", text.index(s), text.index(s) + len(s), s, reason) for s, reason in pairs)


def result_of(*findings: Finding, platform: Platform = Platform.X) -> ScanResult:
    account = AccountScan(platform, ["x.zip"], "x/2022+", AccountInfo(platform, username="doc", user_id="1"))
    return ScanResult([account], list(findings))


def island(page: str) -> str:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert match, "no data island"
    return match.group(1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_script_json_escapes_everything_that_could_end_the_script():
    raw = script_json({"t": HOSTILE})
    assert not set("<>&\u2028\u2029") & set(raw)
    assert json.loads(raw) == {"t": HOSTILE}


def test_hostile_post_cannot_leave_the_data_island(tmp_path):
    ev = spans(HOSTILE, ("52M", "age and sex in clinical shorthand"), ("bed 7", "a bed or room number"))
    bad_link = finding("2", "see my link", url="javascript:alert(1)")
    path = tmp_path / "report.html"
    write_html(result_of(finding("1", HOSTILE, evidence=ev), bad_link), path)
    page = path.read_text()
    assert "<script>alert" not in page
    assert "\u2028" not in island(page) and "\u2029" not in island(page) and "\\u2028" in island(page)
    # exactly two script elements: the data island and the page's own script
    assert page.count("</script>") == 2 and page.count("<script>") == 1
    data = json.loads(island(page))
    first = next(r for r in data["items"] if r["k"] == "x:1")
    text = "".join(s if isinstance(s, str) else s[0] for s in first["t"])
    assert text == HOSTILE
    marked = [s for s in first["t"] if not isinstance(s, str)]
    assert [m[0] for m in marked] == ["52M", "bed 7"]
    assert data["reasons"][marked[0][2]] == "age and sex in clinical shorthand"
    assert "u" not in next(r for r in data["items"] if r["k"] == "x:2")  # javascript: never becomes a link
    assert 'href="javascript' not in page
    # the server-drawn first page (for no-script and print) escapes it as HTML
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("platform", "url", "kept"), [
    (Platform.X, "https://x.com/doc/status/1", True),
    (Platform.X, "https://mobile.twitter.com/doc/status/1", True),
    (Platform.FACEBOOK, "https://www.facebook.com/checkin/987654321", True),
    (Platform.INSTAGRAM, "https://www.threads.net/@doc", True),
    (Platform.FACEBOOK, "https://login.example.net/checkin/1", False),  # a check-in URL from the export, pointing away
    (Platform.FACEBOOK, "https://facebook.com.example.net/", False),
    (Platform.FACEBOOK, "https://www.facebook.com@example.net/", False),  # a user name before the real host
    (Platform.FACEBOOK, "https://example.net\\@www.facebook.com/", False),  # browsers read the backslash as a slash
    (Platform.X, "https://www.facebook.com/checkin/1", False),  # "open on x" goes to X
])
def test_a_link_is_shown_only_when_it_leads_to_the_items_own_platform(tmp_path, platform, url, kept):
    result = result_of(finding("1", "52M in bed 7", url=url, platform=platform), platform=platform)
    out = tmp_path / "out"
    out.mkdir()
    paths = write_all(result, out)
    record = json.loads(island(paths["report"].read_text()))["items"][0]
    assert (record.get("u") == url) is kept and ("u" in record) is kept
    for name in ("checklist", "checklist_html"):
        assert (url in paths[name].read_text()) is kept, name


def test_csp_allows_only_the_pages_own_script_and_style(tmp_path):
    path = tmp_path / "report.html"
    write_html(result_of(finding("1", "52M in bed 7")), path)
    page = path.read_text()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for source in (script, style):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script
    assert " style=" not in page  # inline style attributes would be blocked by the CSP
    assert "This report contains sensitive text" in page


def test_report_from_a_real_export_embeds_flagged_items_only(make_zip, tmp_path):
    out = tmp_path / "out"
    assert run("scan", str(make_zip("x/2024")), "--out", str(out), "-q").exit_code == 0
    data = json.loads(island((out / "report.html").read_text()))
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines() if '"type": "item"' in line]
    expected = {r["key"] for r in rows if r["flags"] or r["action"] != "keep"}
    assert {r["k"] for r in data["items"]} == expected
    assert data["total"] == len(rows) == 9
    story = next(r for r in data["items"] if r["k"] == "x:1700000000000000001")
    assert story["u"] == "https://x.com/nightshift_doc/status/1700000000000000001"
    assert story["d"] == "2024-11-07T03:12:50+00:00" and story["x"] == "delete"
    assert {s[0] for s in story["t"] if not isinstance(s, str)} >= {"52M", "bed 7", "3am"}
    assert story["l"] == 3 and story["h"] == 1


def test_dismissed_items_sink_to_the_bottom_after_a_rescan(make_zip, tmp_path):
    export, out = str(make_zip("x/2024")), tmp_path / "out"
    run("scan", export, "--out", str(out), "-q")
    first = json.loads(island((out / "report.html").read_text()))["items"][0]["k"]
    assert run("mark", first, "not_a_problem", "--out", str(out)).exit_code == 0
    run("scan", export, "--out", str(out), "-q")
    items = json.loads(island((out / "report.html").read_text()))["items"]
    assert items[-1]["k"] == first and items[-1]["dc"] == "not_a_problem" and items[-1]["da"]
    assert all("dc" not in r for r in items[:-1])


def test_timeline_counts_months_and_names_the_busiest_stretch():
    night = [finding(str(i), "x", when=datetime(2019, 8, 1 + i, 23, 0, tzinfo=UTC)) for i in range(5)]
    calm = [finding(str(10 + i), "x", flags=(), risk=5, action="keep", when=datetime(2021, 1, 1 + i, 12, tzinfo=UTC)) for i in range(3)]
    tl = timeline.build(night + calm)
    assert tl.months[0] == (2019, 8) and tl.months[-1] == (2021, 1) and len(tl.months) == 18
    assert sum(tl.posts) == 8 and sum(sum(m.values()) for m in tl.flagged) == 5
    assert "5 flagged posts (100% of all 5 flagged among your own dated posts)" in tl.sentence
    assert "patient reference" in tl.sentence
    assert tl.svg.startswith("<svg") and tl.svg.count('class="tl-patient_reference"') == 1
    assert "written at night (22:00 to 06:00, this computer's time zone)" in tl.sentence


def test_timeline_names_the_zone_the_hours_were_read_in():
    """23:00 UTC is 18:00 in New York: not night there, and the sentence must not name the computer's zone."""
    late = [finding(str(i), "x", when=datetime(2019, 8, 1 + i, 3, 0, tzinfo=UTC)) for i in range(4)]
    tl = timeline.build(late, ZoneInfo("America/New_York"))  # 23:00 the evening before
    assert "written at night (22:00 to 06:00, America/New_York)" in tl.sentence
    assert tl.months[0] == (2019, 7)


def test_redaction_masks_identifiers_and_keeps_spans_consistent():
    text = "52M in bed 7 came in at 3am, so sad, wrecked his truck"
    ev = (*spans(text, ("52M", "age and sex in clinical shorthand")),
          Evidence("patient_reference", text.index("bed 7"), text.index("bed 7") + 5, "bed 7",
                   "a bed or room number places the patient in time and space"),
          Evidence("venting", text.index("so sad"), text.index("so sad") + 6, "so sad", "not an identifier"))
    f = redact_finding(finding("1", text, evidence=ev))
    masked = f.item.text
    assert "52M" not in masked and "bed 7" not in masked
    assert masked.startswith("[age + sex] in [bed/room] came in")
    for e in f.verdict.evidence:
        assert masked[e.start:e.end] == e.text
    assert "so sad" in {e.text for e in f.verdict.evidence}


def test_redaction_keeps_the_owners_handle_and_masks_others():
    f = redact_finding(finding("1", "@doc.smith thanks @jane.doe.rn. and @pat, email@host.org", evidence=()), own={"doc.smith"})
    assert f.item.text == "@doc.smith thanks [@handle]. and [@handle], email@host.org"


def test_scan_redact_writes_a_masked_report(make_zip, tmp_path):
    out = tmp_path / "out"
    assert run("scan", str(make_zip("x/2024")), "--out", str(out), "-q", "--redact").exit_code == 0
    page = (out / "report-redacted.html").read_text()
    data = json.loads(island(page))
    story = next(r for r in data["items"] if r["k"] == "x:1700000000000000001")
    text = "".join(s if isinstance(s, str) else s[0] for s in story["t"])
    assert "52M" not in text and "bed 7" not in text and "[age + sex]" in text
    assert "52M in bed 7" not in page and "identifiers backscroll recognised" in page
    full = json.loads(island((out / "report.html").read_text()))  # the full report is still written
    story = next(r for r in full["items"] if r["k"] == "x:1700000000000000001")
    assert "".join(s if isinstance(s, str) else s[0] for s in story["t"]).startswith("52M in bed 7")


def test_redacted_report_masks_names_given_and_other_handles_in_every_post(tmp_path):
    posts = {"1": "Dr. Patel yelled at me again on rounds. what a condescending jerk, every single shift",
             "2": "@jenny_runs cut the metoprolol in half tonight and skip the ER, Springfield urgent care can recheck you",
             "3": "shoutout @doc_friend for covering my shift, drinks on me"}
    tweets = [{"tweet": {"id_str": tid, "full_text": text, "created_at": "Tue Mar 05 22:14:00 +0000 2024"}}
              for tid, text in posts.items()]
    export = tmp_path / "x.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("data/account.js", 'window.YTD.account.part0 = [{"account": {"username": "doc_friend", "accountId": "42"}}]')
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scan", str(export), "--out", str(out), "-q", "--redact",
                                      "--colleague", "Dr. Patel", "--city", "Springfield"])
    assert result.exit_code == 0, result.output
    full, masked = (out / "report.html").read_text(), (out / "report-redacted.html").read_text()
    for name in ("Patel", "jenny_runs", "Springfield"):
        assert name in full and name not in masked, name
    texts = ["".join(s if isinstance(s, str) else s[0] for s in r["t"]) for r in json.loads(island(masked))["items"]]
    assert any(t.startswith("[colleague's name] yelled at me") for t in texts)  # flagged for venting alone
    assert any(t.startswith("[@handle] cut the metoprolol") and "[town] urgent care" in t for t in texts)


def test_times_are_shown_in_the_zone_posts_were_read_in(make_zip, tmp_path):
    out = tmp_path / "out"
    assert run("scan", str(make_zip("x/2024")), "--out", str(out), "-q", "--timezone", "America/Chicago").exit_code == 0
    page = (out / "report.html").read_text()
    story = next(r for r in json.loads(island(page))["items"] if r["k"] == "x:1700000000000000001")
    assert story["d"] == "2024-11-06T21:12:50-06:00"  # posted 03:12 UTC: still the evening before in Chicago
    assert "2024-11-06 21:12 UTC-06:00" in page and "2024-11-06 21:12 UTC-06:00" in (out / "checklist.html").read_text()
    line = next(x for x in (out / "checklist.md").read_text().splitlines() if "x:1700000000000000001" in x)
    assert "· 2024-11-06 ·" in line


def test_offset_labels():
    from datetime import timedelta

    from reports.clock import offset_label
    assert offset_label(None) == offset_label(timedelta(0)) == "UTC"
    assert offset_label(timedelta(hours=-5)) == "UTC-05:00" and offset_label(timedelta(hours=5, minutes=30)) == "UTC+05:30"


def test_report_size_stays_proportional_to_flagged_items(tmp_path: Path):
    quiet = [finding(str(i), "lovely hike " * 20, flags=(), risk=3, action="keep") for i in range(5000)]
    loud = [finding(f"f{i}", "52M in bed 7 " * 5) for i in range(50)]
    path = tmp_path / "report.html"
    write_html(result_of(*loud, *quiet), path)
    page = path.read_text()
    assert len(json.loads(island(page))["items"]) == 50
    assert "lovely hike" not in page and len(page) < 150_000


def test_jsonl_lines_are_exactly_what_the_json_encoder_writes():
    plain = finding("1", "ok 👍", flags=(), risk=3, action="keep")
    text = HOSTILE + ' "quoted" \\ back\tslash \x00\x1f é'
    hostile = Finding(Item(Platform.X, "2", Kind.DM, text, datetime(2020, 7, 3, 2, 0, tzinfo=UTC), "data/direct-messages.js",
                           url="https://x.com/messages/1-2", counterpart="Jo \"J\" O'Neil"),
                      Verdict(dict(SCORES), ("patient_reference",), 90, spans(text, ("52M", "age + sex")), "age + sex"), "delete",
                      decision="delete")
    with_media = Finding(Item(Platform.INSTAGRAM, "3", Kind.CAPTION, "", None, "your_instagram_activity/media/posts_1.json",
                              media=(Media("media/posts/1.jpg", latitude=42.5, longitude=-71.25), Media("media/posts/2.mp4", "video"))),
                         Verdict({"patient_reference": 0.0, "venting": 1.0, "grand_rounds": 0.1234, "medical_advice": 0},
                                 ("venting",), 51, (), ""), "lock")
    for f in (plain, hostile, with_media):
        assert finding_line(f) == _JSON.encode(finding_json(f))
        assert json.loads(finding_line(f)) == finding_json(f)


def test_a_place_you_named_counts_as_giving_you_away_even_in_a_harmless_post():
    from audit.context import Context
    from reports import accounts

    calm = finding("1", "Just ran the springfield half marathon, legs are jelly", flags=(), risk=3, action="keep")
    result = result_of(calm)
    assert not any(e.what == accounts.PLACE for e in accounts.views(result)[0].exposure)
    result.context = Context(places=("Springfield",), workplaces=("Mercy General",))
    (place,) = [e for e in accounts.views(result)[0].exposure if e.what == accounts.PLACE]
    assert place.count == 1 and place.examples[0][0] == "x:1"


RLO_POST = "\u202e 4 shots of fireball deep in the call room lmao"
EMBEDDED = "normal start \u202egnp.exe\u202c then 52M in bed 7 came in at 3am"


@pytest.mark.parametrize("js", [True, False], ids=["drawn by the script", "server-drawn first page"])
def test_bidi_controls_are_shown_not_applied(browser: Any, tmp_path: Path, js: bool) -> None:
    """An unterminated U+202E must not draw the post backwards: the control shows as a marker, offsets stay."""
    reversed_post = finding("1", RLO_POST, evidence=spans(RLO_POST, ("shots of", "intoxication")))
    embedded = finding("2", EMBEDDED, evidence=spans(EMBEDDED, ("52M", "age and sex")), risk=80)
    path = tmp_path / "report.html"
    write_html(result_of(reversed_post, embedded), path)
    data = json.loads(island(path.read_text()))
    for rec, text in zip(data["items"], (RLO_POST, EMBEDDED), strict=True):  # the data keeps the text and its offsets
        assert "".join(s if isinstance(s, str) else s[0] for s in rec["t"]) == text
    page = open_page(browser, path, js=js)
    first, second = '#list article[data-key="x:1"] p.text', '#list article[data-key="x:2"] p.text'
    for sel in (first, second):
        assert not set("\u202a\u202b\u202c\u202d\u202e") & set(page.locator(sel).text_content())
        assert page.locator(sel).get_attribute("dir") == "auto"
        assert page.locator(sel).evaluate("p => getComputedStyle(p).unicodeBidi") == "isolate"
    assert page.locator(f"{first} .bidi").all_text_contents() == ["⟨RLO⟩"]
    assert page.locator(f"{second} .bidi").all_text_contents() == ["⟨RLO⟩", "⟨PDF⟩"]
    # read left to right, as written
    assert word_box(page, first, "4")["left"] < word_box(page, first, "shots")["left"] < word_box(page, first, "lmao")["left"]
    assert word_box(page, second, "normal")["left"] < word_box(page, second, "gnp.exe")["left"] < word_box(page, second, "then")["left"]
    assert page.locator(f"{first} mark").text_content().startswith("shots of")
    assert not page.problems


def test_every_bidi_control_gets_a_marker_in_both_drawings(browser: Any, tmp_path: Path) -> None:
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    text = "52M in bed 7 " + " x ".join(controls) + " end"
    path = tmp_path / "report.html"
    write_html(result_of(finding("1", text, evidence=spans(text, ("52M", "age and sex")))), path)
    names = ["⟨LRE⟩", "⟨RLE⟩", "⟨PDF⟩", "⟨LRO⟩", "⟨RLO⟩", "⟨LRI⟩", "⟨RLI⟩", "⟨FSI⟩", "⟨PDI⟩", "⟨LRM⟩", "⟨RLM⟩", "⟨ALM⟩"]
    for js in (True, False):
        page = open_page(browser, path, js=js)
        shown = page.locator("#list article p.text")
        assert shown.locator(".bidi").all_text_contents() == names
        assert not set(controls) & set(shown.text_content())
        assert shown.locator(".bidi").nth(4).get_attribute("title") == "U+202E right-to-left override (shown, not applied)"


BAR = "document.getElementById('filters').getBoundingClientRect()"


def many_items(n: int = 14) -> ScanResult:
    """Items of mixed height, a long one among them, for scrolling through."""
    texts = [("filler words about nothing in particular " * (40 if i == 4 else 1)) + "52M in bed 7 came in at 3am" for i in range(n)]
    return result_of(*(finding(str(i), t, risk=95 - i, evidence=spans(t, ("52M", "age and sex"))) for i, t in enumerate(texts)))


def test_keyboard_focus_is_never_under_the_sticky_filter_bar(browser: Any, tmp_path: Path) -> None:
    """j/k moved focus to an item whose top (risk, action, category) lay under the sticky bar."""
    path = tmp_path / "report.html"
    write_html(many_items(), path)
    page = open_page(browser, path, width=1280, height=800)
    page.evaluate("document.body.focus()")
    for key in "jjjjjjjjkkk" + "jjjjjjjjjjjjkkkkkkkkkkkk":
        page.keyboard.press(key)
        top = page.evaluate("document.activeElement.getBoundingClientRect().top")
        bar = page.evaluate(BAR)
        assert page.evaluate("document.activeElement.tagName") == "ARTICLE"
        assert top >= bar["bottom"], (key, top, bar)
    assert not page.problems  # the bar's height goes through the CSSOM, which the CSP allows


def test_the_filter_bar_scrolls_away_on_a_phone_but_sticks_on_a_desktop(browser: Any, tmp_path: Path) -> None:
    """At 360 px the wrapped bar stuck to the top and covered 30% of the screen."""
    path = tmp_path / "report.html"
    write_html(many_items(), path)
    for width, height, sticks in ((360, 740, False), (1280, 800, True)):
        page = open_page(browser, path, width=width, height=height)
        page.evaluate("document.body.focus()")
        for _ in range(4):
            page.keyboard.press("j")
        bar = page.evaluate(BAR)
        covered = max(0, min(bar["bottom"], height) - max(bar["top"], 0)) / height
        if sticks:
            assert bar["top"] == 0 and covered < 0.15, bar
        else:
            assert covered == 0, bar
        top = page.evaluate("document.activeElement.getBoundingClientRect().top")
        assert top >= max(0, bar["bottom"])


def test_tables_stay_inside_a_320px_screen(browser: Any, tmp_path: Path) -> None:
    """The 'holds' table was wider than a phone, and a long name pushed the patients table off the page."""
    name = "Dr_Averyveryveryverylongnamewithoutanyspacesatall_" * 2
    question = Finding(Item(Platform.X, "dm-1", Kind.DM_RECEIVED, "doc should I double my metoprolol tonight? chest feels weird",
                            datetime(2021, 6, 2, 22, tzinfo=UTC), "data/direct-messages.js", counterpart=name),
                       Verdict(dict(SCORES, medical_advice=0.9), ("medical_advice",), 70, (), "medication advice"), "delete")
    path = tmp_path / "report.html"
    write_html(result_of(*many_items(3).findings, question), path)
    page = open_page(browser, path, width=320, height=700)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # the files read, too
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    boxes = page.evaluate("""Array.from(document.querySelectorAll('.box table')).map(t => {
        const box = t.closest('.box'), clip = t.closest('.scroll-x') || t, s = getComputedStyle(box);
        return {table: t.getBoundingClientRect().right, clip: clip.getBoundingClientRect().right,
                inner: box.getBoundingClientRect().right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth),
                scrolls: getComputedStyle(clip).overflowX, cls: t.className};
    })""")
    assert {"kinds", "patients"} <= {b["cls"] for b in boxes}
    for b in boxes:  # each fits its box, or scrolls inside it
        assert b["clip"] <= b["inner"] + 0.5, b
        assert b["table"] <= b["inner"] + 0.5 or b["scrolls"] == "auto", b
    for b in boxes:
        if b["cls"] in ("kinds", "patients"):
            assert b["table"] <= b["inner"] + 0.5, b  # these two fit outright
    assert name[:20] in page.locator("table.patients td").first.text_content()


def test_rule_evidence_is_highlighted_over_learned_wording_it_overlaps(tmp_path: Path) -> None:
    """The first span by start used to win, so a learned phrase starting earlier hid "bed 7" and "52M"."""
    from reports.island import segments

    text = "52M in bed 7 came in at 3am, what a night"
    learned = "wording typical of patient reference in the examples backscroll learned from"
    at = text.index
    ev = (Evidence("patient_reference", at("in bed"), at("in bed") + 6, "in bed", learned),
          Evidence("patient_reference", at("bed 7"), at("bed 7") + 5, "bed 7", "a bed or room number"),
          Evidence("venting", 0, 6, "52M in", learned.replace("patient reference", "venting")),
          Evidence("patient_reference", 0, 3, "52M", "age and sex in clinical shorthand"),
          Evidence("patient_reference", at("came in"), at("came in") + 7, "came in", "describes an encounter"),
          Evidence("patient_reference", at("3am, what"), at("3am, what") + 9, "3am, what", learned),
          Evidence("patient_reference", at("night"), at("night") + 5, "night", learned))
    f = finding("1", text, evidence=ev)
    marked = [s[0] for s in segments(f) if not isinstance(s, str)]
    assert marked == ["52M", "bed 7", "came in", "3am, what", "night"]  # learned wording stays where no rule is
    path = tmp_path / "report.html"
    write_html(result_of(f), path)
    (rec,) = json.loads(island(path.read_text()))["items"]
    assert "".join(s if isinstance(s, str) else s[0] for s in rec["t"]) == text
    assert [s[0] for s in rec["t"] if not isinstance(s, str)] == marked
    assert [w[0] for w in rec["w"]] == [e.text for e in ev]  # the evidence list keeps every span
    assert [w[3] for w in rec["w"]] == [1, 0, 1, 0, 0, 1, 1]
    assert [s[3] for s in rec["t"] if not isinstance(s, str)] == [0, 0, 0, 1, 1]


def test_learned_wording_is_shown_more_quietly_than_a_rules_finding(browser: Any, tmp_path: Path) -> None:
    """Learned words ("honestly", "night") were listed and highlighted exactly like "bed 7", as if as specific.

    They now share one line per risk, said to be learned, with a dotted mark: on the first page (drawn by
    the server) and on later pages (drawn by the script) alike."""
    text = "honestly 52M in bed 7 came in at 3am, what a night, so sick of these families"
    at = text.index
    learned = "wording typical of {} in the examples backscroll learned from"
    ev = (Evidence("patient_reference", 0, 8, "honestly", learned.format("patient reference")),
          Evidence("patient_reference", at("bed 7"), at("bed 7") + 5, "bed 7", "a bed or room number"),
          Evidence("patient_reference", at("night"), at("night") + 5, "night", learned.format("patient reference")),
          Evidence("venting", at("sick of"), at("sick of") + 7, "sick of", "a complaint"),
          Evidence("venting", at("families"), at("families") + 8, "families", learned.format("venting")))
    path = tmp_path / "report.html"
    write_html(result_of(*(finding(str(i), text, evidence=ev, flags=("patient_reference", "venting"), risk=99 - i)
                           for i in range(52))), path)
    page = path.read_text()
    first = page[page.index('data-key="x:0"'):page.index('data-key="x:1"')]
    lines = re.findall(r"<li[^>]*>.*?</li>", first)
    assert lines == ["<li>“<bdi>bed 7</bdi>”: a bed or room number</li>", "<li>“<bdi>sick of</bdi>”: a complaint</li>",
                     '<li class="learned">Words the model links with patient reference (learned from examples, not a specific '
                     "finding): “<bdi>honestly</bdi>”, “<bdi>night</bdi>”</li>",
                     '<li class="learned">Words the model links with venting (learned from examples, not a specific finding): '
                     "“<bdi>families</bdi>”</li>"]
    assert re.findall(r'<mark class="([^"]+)"[^>]*>([^<]+)</mark>', first) == [
        ("patient_reference learned", "honestly"), ("patient_reference", "bed 7"), ("patient_reference learned", "night"),
        ("venting", "sick of"), ("venting learned", "families")]
    view = open_page(browser, path)
    view.click("#next")  # the second page is drawn by the script from the data island
    item = view.locator('article[data-key="x:51"]')
    assert item.locator("ul.why li").all_text_contents() == [re.sub(r"<[^>]+>", "", li) for li in lines]
    marked = item.evaluate("a => [...a.querySelectorAll('mark')].map(m => [m.className, m.firstChild.textContent])")
    assert marked == [list(m) for m in re.findall(r'<mark class="([^"]+)"[^>]*>([^<]+)</mark>', first)]
    styles = view.evaluate("""() => ['honestly', 'bed 7'].map(t => {
        const m = [...document.querySelectorAll('article[data-key="x:51"] mark')].find(m => m.firstChild.textContent === t);
        const s = getComputedStyle(m); return [s.backgroundColor, s.borderBottomStyle]; })""")
    assert styles[0] == ["rgba(0, 0, 0, 0)", "dotted"] and styles[1][1] == "solid" and styles[1][0] != styles[0][0]


def test_printing_keeps_colours_unfolds_sections_and_keeps_headings_with_their_items(browser: Any, tmp_path: Path) -> None:
    """Printed with default settings, tags went pale and legend swatches vanished, the account-level steps
    stayed folded away, and the items' heading could end a page alone."""
    path = tmp_path / "report.html"
    write_html(many_items(3), path, redacted=True)
    page = open_page(browser, path, width=800, height=1100)
    folded = "Array.from(document.querySelectorAll('details')).filter(d => !d.closest('[hidden]')).map(d => d.open)"
    assert page.evaluate(folded) == [False, False]  # account-level steps, files read
    page.evaluate("document.querySelectorAll('details')[1].open = true")  # the user opened 'Files read'
    page.evaluate(f"window.printed = []; addEventListener('beforeprint', () => printed.push({folded}))")  # runs after the page's own
    page.pdf(path=str(tmp_path / "report.pdf"))  # a real print: fires beforeprint and afterprint
    assert page.evaluate("printed") == [[True, True]]
    assert page.evaluate(folded) == [False, True]  # folded again as the user left them
    page.emulate_media(media="print")
    adjust = "e => { const s = getComputedStyle(e); return s.printColorAdjust || s.webkitPrintColorAdjust; }"
    for sel in ("#list .tag", ".legend .swatch", "#list mark", ".redacted-badge"):
        assert page.locator(sel).first.evaluate(adjust) == "exact", sel
    assert page.locator("#items-h").evaluate("h => getComputedStyle(h).breakAfter") == "avoid"
    assert page.locator(".account h3").first.evaluate("h => getComputedStyle(h).breakAfter") == "avoid"


def test_your_decisions_counts_follow_decisions_made_in_the_page(browser: Any, tmp_path: Path) -> None:
    """The static page's 'Your decisions' box kept the database's numbers while the user decided."""
    from audit.state import Decision

    result = many_items(4)
    kept = result.findings[3]
    kept.decision = "keep"  # as write_all gets them: stored decisions already on the findings
    path = tmp_path / "report.html"
    write_html(result, path, {kept.item.key: Decision(kept.item.key, "keep", "2024-01-01T00:00:00Z", "cli")})
    page = open_page(browser, path)
    counts = "['delete', 'lock', 'keep', 'not_a_problem'].map(s => +document.getElementById('count-' + s).textContent)"
    assert page.evaluate(counts) == [0, 0, 1, 0]
    page.evaluate("document.querySelector('#list article').focus()")
    page.keyboard.press("1")  # delete, and on to the next
    page.keyboard.press("1")
    assert page.evaluate(counts) == [2, 0, 1, 0]
    page.locator(f'#list article[data-key="{kept.item.key}"] button.d-lock').click()  # the stored keep becomes lock
    assert page.evaluate(counts) == [2, 1, 0, 0]
    page.keyboard.press("0")  # undo: no decision on the page; the stored keep is overridden by "none"
    assert page.evaluate(counts) == [2, 0, 0, 0]
    page.reload()  # kept in the browser's storage
    assert page.evaluate(counts) == [2, 0, 0, 0]
    assert "2 of 4 decided" in page.inner_text("#progress")
