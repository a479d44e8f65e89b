"""Media analysis on photos drawn at test time, inside a small X-layout zip opened with Archive."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PIL", reason="media analysis needs Pillow: pip install -e '.[media]'")

import media_images as draw
from PIL import Image

from audit.archive import Archive
from audit.media import CROP, DELETE, STRIP_LOCATION, Limits, analyse_media, screen, video
from audit.media import analyse as analyse_mod
from audit.media import metadata as meta
from audit.media import ocr as ocr_mod
from audit.model import Evidence, Item, Kind, Media, Place, Platform, Verdict

HOSPITAL = (51.50740, -0.12780)  # invented: any point works
BEACH = (43.69590, 7.27140)
NEEDS_TESSERACT = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Tesseract is not installed (apt-get install tesseract-ocr); .ci/run installs it")


class QuietClassifier:
    """Flags nothing: isolates the media findings from the text model."""

    def classify_texts(self, texts, kinds=None):
        return [Verdict(scores={}, flags=(), risk=0) for _ in texts]


def item(tid: str, text: str, media: tuple[Media, ...] | None = None) -> Item:
    media = media if media is not None else (Media(uri=f"data/tweets_media/{tid}-{tid}x.jpg"),)
    return Item(Platform.X, tid, Kind.POST, text, datetime(2024, 3, 5, 22, 14, tzinfo=UTC), "data/tweets.js", media=media)


def run(tmp_path: Path, files: dict[str, tuple[str, bytes]], *, items: list[Item] | None = None, **kwargs):
    zip_path = draw.x_export(tmp_path / "x.zip", files)
    items = items if items is not None else [item(tid, text) for tid, (text, _) in files.items()]
    kwargs.setdefault("ocr", False)
    kwargs.setdefault("classifier", QuietClassifier())
    with Archive([zip_path]) as archive:
        return analyse_media(archive, items, **kwargs)


def only_file(result, key: str):
    (f,) = result[key].files
    return f


# metadata


def test_dms_to_decimal_uses_the_hemisphere():
    assert meta.dms_to_decimal((51, 30, 26.64), "N") == pytest.approx(51.5074, abs=1e-4)
    assert meta.dms_to_decimal((0, 7, 40.08), "W") == pytest.approx(-0.1278, abs=1e-4)
    assert meta.dms_to_decimal((33, 52, 0), b"S\x00") == pytest.approx(-33.8667, abs=1e-4)
    assert meta.dms_to_decimal((1, 30), None) == 1.5  # no reference: north/east
    assert meta.dms_to_decimal((float("nan"), 0, 0), "N") is None
    assert meta.gps_position({2: (0, 0, 0), 1: "N", 4: (0, 0, 0), 3: "E"}) == (None, None)  # Null Island is broken GPS


def test_gps_time_and_camera_come_out_of_the_file(tmp_path):
    photo = draw.jpeg(draw.holiday(1), gps=BEACH, taken=datetime(2023, 8, 1, 14, 5), camera=("Acme", "Phone 9"))
    f = only_file(run(tmp_path, {"1": ("beach day", photo)}), "x:1")
    assert f.metadata.latitude == pytest.approx(BEACH[0], abs=1e-4)
    assert f.metadata.longitude == pytest.approx(BEACH[1], abs=1e-4)
    assert f.metadata.taken_at == datetime(2023, 8, 1, 14, 5) and f.metadata.local_time
    assert f.metadata.camera == "Acme Phone 9"
    assert f.metadata.gps_in_file
    assert any("still carries the location" in e.reason for e in f.evidence)
    assert f.action == STRIP_LOCATION


def test_southern_and_western_coordinates_are_negative(tmp_path):
    photo = draw.jpeg(draw.holiday(2), gps=(-33.85680, -70.64830))
    f = only_file(run(tmp_path, {"1": ("", photo)}), "x:1")
    assert (f.metadata.latitude, f.metadata.longitude) == (pytest.approx(-33.8568, abs=1e-4), pytest.approx(-70.6483, abs=1e-4))


def test_a_photo_without_gps_has_no_location_finding(tmp_path):
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.holiday(3)))}), "x:1")
    assert not f.metadata.gps_in_file and not f.evidence and f.action is None and f.thumbnail is None


def test_workplace_radius(tmp_path):
    near = (HOSPITAL[0] + 0.0009, HOSPITAL[1])  # about 100 m north
    far = (HOSPITAL[0] + 0.0090, HOSPITAL[1])  # about 1 km north
    files = {"1": ("coffee", draw.jpeg(draw.holiday(4), gps=near)), "2": ("coffee", draw.jpeg(draw.holiday(5), gps=far))}
    result = run(tmp_path, files, workplace_location=(*HOSPITAL, 250))
    reasons = [e.reason for e in only_file(result, "x:1").evidence]
    assert any(r.startswith("taken 100 m from your workplace") for r in reasons), reasons
    assert not any("workplace" in e.reason for e in only_file(result, "x:2").evidence)
    assert result["x:1"].risk > result["x:2"].risk


def test_named_work_place_and_the_exports_own_coordinates(tmp_path):
    # Meta strips EXIF from the file but keeps the coordinates in its JSON: they arrive on Media.
    stripped = Media(uri="data/tweets_media/1-1x.jpg", latitude=HOSPITAL[0], longitude=HOSPITAL[1])
    result = run(tmp_path, {"1": ("12 hour shift done", draw.jpeg(draw.holiday(6)))}, items=[item("1", "12 hour shift done", (stripped,))],
                 work_places=(Place("Mercy General", HOSPITAL[0] + 0.0005, HOSPITAL[1]),))
    f = only_file(result, "x:1")
    assert not f.metadata.gps_in_file and f.metadata.sources == ("export",)
    (ev,) = [e for e in f.evidence if "Mercy General" in e.reason]
    assert "the export's record" in ev.reason and "shift" in ev.reason
    assert ev.category == "patient_reference"


def test_night_shift_hour_counts_only_with_clinical_context(tmp_path):
    night = datetime(2024, 3, 6, 3, 40)
    files = {"1": ("brutal night shift on the unit", draw.jpeg(draw.holiday(7), taken=night)),
             "2": ("stargazing", draw.jpeg(draw.holiday(8), taken=night))}
    result = run(tmp_path, files)
    assert any("night-shift hour" in e.reason for e in result["x:1"].evidence)
    assert not result["x:2"].evidence


class CountingClassifier(QuietClassifier):
    """Flags nothing and remembers which texts it was asked about."""

    def __init__(self):
        self.asked: list[str] = []

    def classify_texts(self, texts, kinds=None):
        self.asked += texts
        return super().classify_texts(texts, kinds)


def test_the_scans_own_verdict_decides_whether_a_post_is_clinical(tmp_path):
    # The scan saw the posting time and the user's names, which the text alone may not show: its verdict is used, not redone.
    night = datetime(2024, 3, 6, 3, 40)
    files = {"1": ("that view though", draw.jpeg(draw.holiday(7), taken=night)),
             "2": ("and this one", draw.jpeg(draw.holiday(8), taken=night))}
    flagged = Verdict(scores={"patient_reference": 0.9}, flags=("patient_reference",), risk=70)
    counting = CountingClassifier()
    result = run(tmp_path, files, classifier=counting, verdicts={"x:1": flagged})
    (ev,) = [e for e in result["x:1"].evidence if "night-shift hour" in e.reason]
    assert "the post is flagged as patient reference" in ev.reason
    assert not result["x:2"].evidence
    assert counting.asked == ["and this one"]


# the cheap detector and what goes to OCR


def test_detector_explains_itself():
    wb = screen.detect(draw.whiteboard())
    assert wb.send_to_ocr and wb.kind == "whiteboard or document"
    assert "text-dense region covering" in wb.reason and "% of the image" in wb.reason
    mon = screen.detect(draw.monitor())
    assert mon.send_to_ocr and mon.kind == "monitor" and "like a patient monitor" in mon.reason
    hol = screen.detect(draw.holiday(9))
    assert not hol.send_to_ocr and hol.reason.startswith("no screen or text-dense region")


def test_scattered_dark_patches_and_a_bright_jacket_are_not_a_monitor():
    # The dark of hair, a helmet and a table, boxed together, once made a "screen" and the jacket its "traces":
    # a portrait reported as a photo of a patient monitor.
    assert screen.detect(draw.portrait()).kind != "monitor"
    assert screen.detect(draw.in_scene(draw.monitor(), 0.3)).kind == "monitor"


def test_the_benchmark_judges_a_folder_of_real_photos(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_media", Path(__file__).resolve().parent.parent / "bench" / "media.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    (tmp_path / "roll").mkdir()
    draw.monitor().save(tmp_path / "roll" / "icu.jpg")
    draw.portrait().save(tmp_path / "roll" / "me.png")
    draw.whiteboard().save(tmp_path / "roll" / "board.jpeg")
    (tmp_path / "roll" / "broken.jpg").write_bytes(b"not a jpeg")
    bench.real_photos(tmp_path / "roll")
    out = capsys.readouterr().out
    assert "broken.jpg: unreadable" in out and "icu.jpg: monitor;" in out and "me.png: none;" in out
    assert out.splitlines()[-1] == "3 photos: 2 sent to OCR (1 as a patient monitor, 0 as screen or text, 1 as whiteboard or document)"


def test_small_text_in_the_background_is_still_found():
    assert screen.detect(draw.in_scene(draw.whiteboard(), 0.4)).send_to_ocr
    assert screen.detect(draw.in_scene(draw.monitor(), 0.35)).send_to_ocr
    assert screen.detect(draw.chart_screenshot()).send_to_ocr


def test_print_on_a_flat_colour_is_sent_to_ocr():
    # The check once took only print on a colourless surface: a thread of blue or green chat bubbles, a sticky
    # note, a slide were "no text" and never read.
    for img in (draw.chat_screenshot(replies=False), draw.chat_screenshot(replies=False, bubble=(52, 199, 89)),
                draw.chat_screenshot(replies=False).resize((540, 1170)), draw.sticky_note(), draw.in_scene(draw.sticky_note(), 0.5),
                draw.slide((0, 90, 110), (255, 255, 255)), draw.slide((250, 210, 60), (20, 20, 20))):
        assert screen.detect(img).send_to_ocr
    chat = screen.detect(draw.chat_screenshot(replies=False))
    assert chat.light_print and "light print on a coloured background" in chat.reason
    assert not screen.detect(draw.sticky_note()).light_print and not screen.detect(draw.whiteboard()).light_print


def test_grain_and_leaves_on_colour_are_not_print():
    # Strokes on colour count only where most of each cell is one colour and the line's cells share it: coloured
    # grain, and leaves against sky and hill, would reach OCR if colour alone were let through.
    rng = np.random.default_rng(7)
    for tint in ((200, 60, 40), (60, 140, 60)):
        grain = np.clip(np.array(tint, dtype=np.float32) + rng.normal(0, 50, (800, 1200, 1)), 0, 255).astype(np.uint8)
        assert not screen.detect(Image.fromarray(grain)).send_to_ocr, tint
    for seed in (5, 25, 26, 33, 62, 97):  # trees that reach OCR when the colour test is dropped
        assert not screen.detect(draw.holiday(seed, grain=False)).send_to_ocr, seed


def tilted(img: Image.Image, degrees: float, fill: tuple[int, int, int]) -> Image.Image:
    """`img` turned counter-clockwise, as a board or phone photographed off level."""
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def test_print_photographed_off_level_is_found_and_its_tilt_measured():
    # Lines of print are looked for level: a board small in the frame was missed from 10° off, a chart from 12°.
    for degrees in (-15, -12, -10, 12, 15):
        board = screen.detect(draw.in_scene(tilted(draw.whiteboard(), degrees, (120, 110, 100)), 0.4, seed=3))
        chart = screen.detect(tilted(draw.chart_screenshot(), degrees, (255, 255, 255)))
        for found in (board, chart):
            assert found.send_to_ocr and found.tilt == pytest.approx(degrees, abs=1), (degrees, found)
        assert f"turned {abs(degrees)}° off level" in board.reason
    assert screen.detect(draw.whiteboard()).tilt == 0 and screen.detect(draw.chart_screenshot()).tilt == 0


@NEEDS_TESSERACT
def test_ocr_reads_print_photographed_off_level(tmp_path):
    # Tesseract lost names from 8° off level; it is given the picture turned back by the measured tilt.
    files = {"1": ("", draw.jpeg(draw.in_scene(tilted(draw.whiteboard(), 12, (120, 110, 100)), 0.4, seed=3))),
             "2": ("", draw.jpeg(tilted(draw.chart_screenshot(), -10, (255, 255, 255))))}
    result = run(tmp_path, files, ocr=True)
    board, chart = only_file(result, "x:1"), only_file(result, "x:2")
    assert all(name in board.ocr_text for name in draw.FAKE_NAMES), board.ocr_text
    assert "MRN 4402913" in chart.ocr_text and "DOB: 03/14/1958" in chart.ocr_text, chart.ocr_text


def test_only_screens_and_whiteboards_are_sent_to_ocr(tmp_path, monkeypatch):
    sent: list[tuple[int, int]] = []

    def fake_read(img, *, timeout, dark=False, light_print=False, lang="eng"):
        sent.append(img.size)
        return ocr_mod.OcrResult("", 0, 0.0)

    monkeypatch.setattr(ocr_mod, "read_text", fake_read)
    files = {"1": ("", draw.jpeg(draw.monitor())), "2": ("", draw.jpeg(draw.whiteboard())), "3": ("", draw.jpeg(draw.holiday(10)))}
    result = run(tmp_path, files, ocr=True)
    assert sent == [(1200, 800), (1400, 900)]  # full resolution, holiday photo never sent
    assert only_file(result, "x:3").screen.send_to_ocr is False


def test_ocr_off_still_reports_a_monitor(tmp_path):
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.monitor()))}), "x:1")
    assert any("patient monitor" in e.reason for e in f.evidence)
    assert f.action == DELETE and f.thumbnail
    assert "looks like a screen or text, but OCR was off" in f.notes


# OCR through Tesseract and the classifier


@NEEDS_TESSERACT
def test_ocr_reads_the_fake_name_on_the_whiteboard(tmp_path):
    from audit.classifier import load_classifier

    files = {"1": ("team huddle before report", draw.jpeg(draw.whiteboard()))}
    finding = run(tmp_path, files, ocr=True, classifier=load_classifier())["x:1"]
    (f,) = finding.files
    assert "Maria Lopez" in f.ocr_text
    names = [e for e in f.evidence if "Maria Lopez" in e.text]
    assert names and names[0].category == "patient_reference" and names[0].reason.startswith("text in the photo: ")
    assert f.ocr_text[names[0].start:names[0].end] == names[0].text  # spans point into the OCR text
    assert f.action == CROP  # the board is under half of the photo
    assert finding.risk >= 70 and "text in the photo" in finding.summary


@NEEDS_TESSERACT
def test_ocr_reads_a_thread_of_chat_bubbles(tmp_path):
    # White print in blue bubbles on a white page: Tesseract's sparse-text layout read none of it.
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.chat_screenshot()))}, ocr=True), "x:1")
    assert "MRN 4402913" in f.ocr_text and "Maria Lopez" in f.ocr_text and "surgeons" in f.ocr_text
    shown = {e.reason.split(" (")[0].removeprefix("text in the photo: ") for e in f.shows}
    assert {"a date of birth", "a record or account number"} <= shown


@NEEDS_TESSERACT
def test_ocr_reads_vitals_off_the_monitor(tmp_path):
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.monitor()))}, ocr=True), "x:1")
    assert "HR 128" in f.ocr_text
    assert any("vital signs" in e.reason for e in f.evidence)
    assert f.action == DELETE


def test_missing_tesseract_is_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_mod, "tesseract_path", lambda: None)
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.whiteboard()))}, ocr=True), "x:1")
    assert any(n.startswith("text not read: Tesseract is not installed") for n in f.notes)


def test_ocr_timeout_is_a_note(tmp_path, monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired("tesseract", 1)

    monkeypatch.setattr(ocr_mod, "read_text", slow)
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.whiteboard()))}, ocr=True), "x:1")
    assert any("OCR took longer" in n for n in f.notes)


def test_photo_evidence_needs_a_clinical_clue_before_a_name_counts():
    assert ocr_mod.photo_evidence("Happy Birthday\nAunt Maria") == []
    found = ocr_mod.photo_evidence("Rm 12 Maria Lopez\nDOB 03/14/1958")
    assert {e.text for e in found} == {"Rm 12", "Maria Lopez", "DOB 03/14/1958"}


def test_a_hotel_key_card_ticket_or_receipt_is_no_patient_reference():
    # A name beside a room number is a patient on a whiteboard and a guest on a key card: off-duty wording
    # counts against a patient reference unless a clinical word is there too.
    for text in ("HARBOUR VIEW HOTEL\nGuest: Maria Lopez\nRoom 412\nCheck-in 03/05/2024",
                 "Welcome Maria Lopez\nRoom 1207\nKey card 1 of 2",
                 "ADMIT ONE\nJohn Carter\nRow 14 Seat 7\nBay 3 parking",
                 "Receipt\nServer: Maria Lopez\nAcct 123456789\nSubtotal 42.00"):
        assert ocr_mod.photo_evidence(text) == [], text
    wristband = ocr_mod.photo_evidence("LOPEZ, MARIA\nDOB 03/14/1958\nMRN 4402913\nWard 4B Bed 12")
    assert {e.text for e in wristband} == {"LOPEZ, MARIA", "DOB 03/14/1958", "MRN 4402913", "Bed 12"}
    # Off-duty wording on a clinical document does not clear it: "Check-in" on a patient's chart.
    assert {e.text for e in ocr_mod.photo_evidence("Patient check-in\nMaria Lopez\nDOB 03/14/1958")} == {"Maria Lopez", "DOB 03/14/1958"}


class FirstNameClassifier(QuietClassifier):
    """Flags a first name beside a room number as a patient reference, as the trained model does on a hotel key card."""

    def classify_texts(self, texts, kinds=None):
        out = []
        for text in texts:
            at = text.find("Maria") if "Room" in text else -1
            ev = (Evidence("patient_reference", at, at + 5, "Maria", "wording typical of patient reference", 0.6),) if at >= 0 else ()
            out.append(Verdict(scores={"patient_reference": 0.7 if ev else 0.0}, flags=("patient_reference",) if ev else (),
                               risk=61 if ev else 0, evidence=ev))
        return out


def test_the_classifier_reading_a_hotel_key_card_does_not_flag_the_post(tmp_path, monkeypatch):
    # A room number and a first name are no patient reference to the photo's own rules: what flags either photo is the classifier.
    read = {(1200, 800): "HARBOUR VIEW HOTEL\nWelcome Maria\nRoom 412", (1400, 900): "ROOM PATIENT RN\nRoom 412 Maria"}
    monkeypatch.setattr(ocr_mod, "read_text", lambda img, **kwargs: ocr_mod.OcrResult(read[img.size], 10, 0.5))
    files = {"1": ("great weekend away", draw.jpeg(draw.card(draw.HOTEL_KEY_CARD))), "2": ("", draw.jpeg(draw.whiteboard()))}
    result = run(tmp_path, files, ocr=True, classifier=FirstNameClassifier())
    assert result["x:1"].flags == () and not [e for e in result["x:1"].evidence if "Maria" in e.reason]
    assert result["x:2"].flags == ("patient_reference",)  # the same words on a ward's board


@NEEDS_TESSERACT
def test_a_photographed_key_card_and_ticket_are_read_but_only_the_wristband_flags_the_post(tmp_path):
    from audit.classifier import load_classifier

    files = {"1": ("", draw.jpeg(draw.card(draw.HOTEL_KEY_CARD))), "2": ("", draw.jpeg(draw.card(draw.CONCERT_TICKET))),
             "3": ("", draw.jpeg(draw.card(draw.WRISTBAND)))}
    result = run(tmp_path, files, ocr=True, classifier=load_classifier())
    assert "Room 412" in only_file(result, "x:1").ocr_text and "Seat 7" in only_file(result, "x:2").ocr_text
    for key in ("x:1", "x:2"):
        assert result[key].flags == () and result[key].risk == 0, (key, result[key].summary)
    wristband = result["x:3"]
    assert wristband.flags == ("patient_reference",) and wristband.risk >= 70
    assert {"DOB 03/14/1958", "MRN 4402913"} <= {e.text for e in wristband.shows}


# budgets, bad input, video


def test_oversize_file_is_skipped_without_reading_it(tmp_path, monkeypatch):
    reads: list[str] = []
    original = Archive.read
    monkeypatch.setattr(Archive, "read", lambda self, name, limit=0: reads.append(name) or original(self, name, limit))
    photo = draw.jpeg(draw.holiday(11), gps=BEACH)
    f = only_file(run(tmp_path, {"1": ("", photo)}, limits=Limits(max_image_bytes=len(photo) - 1)), "x:1")
    assert reads == []
    assert f.notes and f.notes[0].startswith("skipped: the photo is") and "limit" in f.notes[0]


def test_broken_image_bytes_give_a_note_not_an_exception(tmp_path):
    truncated = draw.jpeg(draw.holiday(12))[:300]
    result = run(tmp_path, {"1": ("", b"\x89PNG but not really"), "2": ("", truncated)})
    for key in ("x:1", "x:2"):
        f = only_file(result, key)
        assert f.notes and f.notes[0].startswith("could not be read as an image"), f.notes
        assert "not checked" in result[key].summary


def test_a_postscript_file_named_jpg_never_reaches_ghostscript(tmp_path, monkeypatch):
    # Pillow picks a decoder by the bytes, not the name: EPS runs Ghostscript, a PostScript interpreter, on the file.
    from PIL import EpsImagePlugin

    ran: list[object] = []
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *args, **kwargs: ran.append(args) or Image.new("RGB", (1, 1)))
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 10 10 moveto 90 90 lineto stroke\nshowpage\n%%EOF\n"
    f = only_file(run(tmp_path, {"1": ("", eps)}), "x:1")
    assert f.notes == ("could not be read as an image (damaged, or a format Pillow does not know)",)
    assert ran == []


def test_too_many_pixels_is_a_note(tmp_path):
    big = io.BytesIO()
    Image.new("L", (4000, 3000)).save(big, "PNG")
    f = only_file(run(tmp_path, {"1": ("", big.getvalue())}, limits=Limits(max_pixels=1_000_000)), "x:1")
    assert "over the 1 MP limit" in f.notes[0]


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_a_picture_too_large_to_decode_is_skipped_with_a_note_before_it_is_decoded(tmp_path, monkeypatch):
    # A 4 KB zip member held a 9500x8400 RGBA PNG: 319 MB decoded, and 1.1 GB at the peak of the scan.
    rgba = png(Image.new("RGBA", (3000, 2000), (250, 250, 250, 255)))  # 24 MB decoded
    loads: list[str] = []
    original = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: loads.append(self.mode) or original(self))
    f = only_file(run(tmp_path, {"1": ("", rgba)}, limits=Limits(max_decoded_bytes=20_000_000)), "x:1")
    assert f.notes == ("skipped: 3000x2000 pixels (RGBA) take 24 MB to decode, over the 20 MB limit",)
    assert loads == []


def test_large_pictures_are_shrunk_without_a_full_size_copy(tmp_path, monkeypatch):
    sent: list[tuple[tuple[int, int], str]] = []
    monkeypatch.setattr(ocr_mod, "read_text", lambda img, **kwargs: sent.append((img.size, img.mode)) or ocr_mod.OcrResult("", 0, 0.0))
    board = png(draw.whiteboard(6000, 3800).convert("RGBA"))
    converted: list[tuple[int, int]] = []
    original = Image.Image.convert
    monkeypatch.setattr(Image.Image, "convert", lambda self, *a, **k: converted.append(self.size) or original(self, *a, **k))
    result = run(tmp_path, {"1": ("", board)}, ocr=True)
    f = only_file(result, "x:1")
    assert f.screen.send_to_ocr and not f.notes
    assert not [size for size in converted if size == (6000, 3800)]  # converted a strip at a time, never whole
    # OCR gets a grey copy no larger than it reads (from 2,400 px on the long side), not the full-size decode.
    assert sent == [((3000, 1900), "L")]


def test_a_wide_jpeg_is_decoded_at_a_fraction_of_its_size():
    # A 60000x1300 panorama was decoded whole (234 MB, 1.1 GB at the peak): the draft asked for 768x768, and its height is 1,300.
    buf = io.BytesIO()
    Image.new("RGB", (12000, 300), (200, 200, 200)).save(buf, "JPEG")
    with Image.open(buf) as img:
        small = analyse_mod.upright_small(img)
        assert img.size == (1500, 38)  # decoded at 1/8 scale
    assert small.size == (1500, 38) and small.mode == "RGB"


def test_the_small_copy_is_turned_as_the_camera_was_held():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 30, 30)).save(buf, "JPEG", exif=exif)
    with Image.open(buf) as img:
        assert analyse_mod.upright_small(img).size == (600, 800)
    assert analyse_mod.upright_small(Image.new("RGB", (1600, 1200)), 400, "L").size == (400, 300)


def test_missing_file_is_a_note(tmp_path):
    gone = item("9", "", (Media(uri="data/tweets_media/9-gone.jpg"),))
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.holiday(0)))}, items=[gone]), "x:9")
    assert f.member is None and f.notes[0].startswith("file not in the export")


def test_video_without_a_decoder_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(video, "decoder", lambda: None)
    clip = item("1", "", (Media(uri="data/tweets_media/1-1x.jpg", kind="video"),))
    zip_path = draw.x_export(tmp_path / "x.zip", {"1": ("", b"\x00\x00\x00\x18ftypmp42")})
    with Archive([zip_path]) as archive:
        f = only_file(analyse_media(archive, [clip], ocr=True, classifier=QuietClassifier()), "x:1")
    assert f.kind == "video"
    assert f.notes[0].startswith("video not analysed: no decoder available")


def test_x_video_uri_names_its_poster_but_the_file_is_the_mp4():
    resolver = analyse_mod.Resolver(["tweets_media/55-abc.mp4", "tweets_media/56-photo.jpg", "tweets.js"])
    assert resolver.find("data/tweets_media/55-poster.jpg", "video") == "tweets_media/55-abc.mp4"
    assert resolver.find("data/tweets_media/56-photo.jpg") == "tweets_media/56-photo.jpg"
    assert resolver.find("https://ton.twitter.com/dm/1/2/photo.jpg") == "tweets_media/56-photo.jpg"
    assert resolver.find("data/tweets_media/57-none.jpg") is None


def test_a_name_in_several_folders_is_matched_only_under_the_same_path():
    resolver = analyse_mod.Resolver(["dana-2024/posts/media/A/1.jpg", "dana-2024/posts/media/B/1.jpg", "dana-2024/posts/media/B/2.jpg"])
    assert resolver.find("posts/media/A/1.jpg") == "dana-2024/posts/media/A/1.jpg"  # a wrapping folder
    assert resolver.find("posts/media/C/2.jpg") == "dana-2024/posts/media/B/2.jpg"  # one file of that name: a moved part
    (found,) = resolver.resolve([Media(uri="posts/media/C/1.jpg")])
    assert found.member is None and found.note.startswith("file not matched: 2 files in the export have its name")


def imported(zip_path: Path) -> list[Item]:
    """The items the real importer makes of an export, media uris as it writes them."""
    import importers

    with Archive([zip_path]) as archive:
        importer, found = importers.choose(archive)
        return [e for e in importer.iter_events(archive, found) if isinstance(e, Item)]


def analysed(zip_path: Path) -> dict[str, tuple[tuple[str | None, tuple[str, ...]], ...]]:
    """{item text: ((member, notes) per media file)} for every item with media."""
    items = imported(zip_path)
    with Archive([zip_path]) as archive:
        result = analyse_media(archive, items, ocr=False, classifier=QuietClassifier())
    return {i.text: tuple((f.member, f.notes) for f in result[i.key].files) for i in items if i.key in result}


def test_a_missing_facebook_photo_is_not_matched_to_another_albums_file(tmp_path):
    # Only the first IMG-* and VID-* files are in the export; the other two posts' files were left out of it.
    board, clip = draw.jpeg(draw.whiteboard()), b"\x00\x00\x00\x18ftypmp42"
    export = draw.fb_export(tmp_path / "fb.zip", {
        "IMG-20231201-WA0001.jpg": ("team", board, {}),
        "IMG-20240101-WA0002.jpg": ("missing photo", None, {}),
        "VID-20231225-WA0009.mp4": ("holiday video", clip, {}),
        "VID-20240101-WA0003.mp4": ("missing video", None, {}),
    })
    found = analysed(export)
    assert found["team"][0][0] == draw.FB_MEDIA + "IMG-20231201-WA0001.jpg"
    assert found["holiday video"][0][0] == draw.FB_MEDIA + "VID-20231225-WA0009.mp4"
    for text in ("missing photo", "missing video"):
        ((member, notes),) = found[text]
        assert member is None and notes[0].startswith("file not in the export"), (text, member)


def test_x_media_are_matched_only_where_nothing_else_could_be_meant(tmp_path):
    board, holiday, clip = draw.jpeg(draw.whiteboard()), draw.jpeg(draw.holiday(1)), b"\x00\x00\x00\x18ftypmp42"
    tweets = {"7001": [("POSTERaa.jpg", "video")],  # a video's uri names its poster, the file is the .mp4
              "7002": [("Aphoto.jpg", "photo"), ("Bphoto.jpg", "photo")],  # B is not in the archive
              "7004": [("P1.jpg", "video"), ("P2.jpg", "video")],  # two videos, no name says which file is which
              "7005": [("P3.jpg", "video", "Vthird.mp4"), ("P4.jpg", "video", "Vfourth.mp4")],  # the variants name each file
              "7006": [("P5.jpg", "video")]}  # one video and two video files: one of them may be no video of this post's
    messages = {"8101": "https://ton.twitter.com/dm/8101/5558101/SameHash.jpg",  # one picture sent twice
                "8102": "https://ton.twitter.com/dm/8102/5558102/SameHash.jpg"}
    files = {"data/tweets_media/7001-VIDxyz.mp4": clip, "data/tweets_media/7002-Aphoto.jpg": board,
             "data/tweets_media/7004-V1first.mp4": clip, "data/tweets_media/7004-V2second.mp4": clip,
             "data/tweets_media/7005-Vfourth.mp4": clip, "data/tweets_media/7005-Vthird.mp4": clip,
             "data/tweets_media/7006-V5.mp4": clip, "data/tweets_media/7006-V6.mp4": clip,
             "data/direct_messages_media/8101-SameHash.jpg": board, "data/direct_messages_media/8102-SameHash.jpg": holiday}
    export = draw.x_archive(tmp_path / "x.zip", tweets, files, messages)
    found = analysed(export)
    assert found["post 7001"][0][0] == "data/tweets_media/7001-VIDxyz.mp4"
    (a, _), (b, b_notes) = found["post 7002"]
    assert a == "data/tweets_media/7002-Aphoto.jpg" and b is None and b_notes[0].startswith("file not in the export")
    # Both files are the post's: each is read, for one video or the other, and neither is left "not matched".
    assert sorted(member for member, _ in found["post 7004"]) == [f"data/tweets_media/7004-{n}.mp4" for n in ("V1first", "V2second")]
    assert not [n for _, notes in found["post 7004"] for n in notes if n.startswith("file not")]
    # X names a video's file after its highest-bitrate MP4 variant: the importer keeps that name, so each video has its own file.
    by_uri = {i.text: [m.uri for m in i.media] for i in imported(export)}
    assert by_uri["post 7005"] == ["data/tweets_media/7005-Vthird.mp4", "data/tweets_media/7005-Vfourth.mp4"]
    assert [member for member, _ in found["post 7005"]] == ["data/tweets_media/7005-Vthird.mp4", "data/tweets_media/7005-Vfourth.mp4"]
    ((member, notes),) = found["post 7006"]
    assert member is None and notes[0].startswith("file not matched: this post has 1 videos and the export 2 video files")
    assert found["message 8101"][0][0] == "data/direct_messages_media/8101-SameHash.jpg"
    assert found["message 8102"][0][0] == "data/direct_messages_media/8102-SameHash.jpg"


# report material


def test_thumbnail_is_a_small_jpeg_without_exif(tmp_path):
    f = only_file(run(tmp_path, {"1": ("", draw.jpeg(draw.holiday(13), gps=BEACH))}), "x:1")
    assert f.thumbnail and f.thumbnail.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(f.thumbnail.split(",", 1)[1]))) as thumb:
        assert max(thumb.size) <= 160
        assert not thumb.getexif().get_ifd(0x8825)


def test_progress_counts_files(tmp_path):
    seen: list[tuple[str, int, int | None]] = []
    run(tmp_path, {"1": ("", draw.jpeg(draw.holiday(0))), "2": ("", draw.jpeg(draw.holiday(1)))},
        progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen == [("media", 1, 2), ("media", 2, 2)]


def test_items_without_media_are_left_out(tmp_path):
    bare = Item(Platform.X, "5", Kind.POST, "text only", None, "data/tweets.js")
    assert run(tmp_path, {"1": ("", draw.jpeg(draw.holiday(0)))}, items=[bare]) == {}


def test_archive_streams_a_member_without_reading_it_whole(tmp_path):
    payload = bytes(range(256)) * 8192  # 2 MiB
    zip_path = tmp_path / "v.zip"
    import zipfile

    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("data/tweets_media/1-clip.mp4", payload)
    sink = io.BytesIO()
    with Archive([zip_path]) as archive:
        assert archive.copy_to("data/tweets_media/1-clip.mp4", sink, limit=10_000_000) == len(payload)
        with pytest.raises(analyse_mod.MemberError):
            archive.copy_to("data/tweets_media/1-clip.mp4", io.BytesIO(), limit=1_000_000)
    assert sink.getvalue() == payload


def test_video_frames_come_from_the_streamed_copy(tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text(
        "#!" + subprocess.list2cmdline([__import__("sys").executable]) + "\n"
        "import sys\nfrom PIL import Image\n"
        "args = sys.argv[1:]\nsource = args[args.index('-i') + 1]\n"
        "assert open(source, 'rb').read() == b'MOVIE' * 1000\n"
        "Image.new('RGB', (64, 48), (0, 0, 0)).save(args[-1] % 1)\n"
    )
    fake.chmod(0o755)
    got = video.frames(lambda fh: fh.write(b"MOVIE" * 1000), ".mp4", timeout=30, exe=str(fake))
    assert len(got) == 1 and got[0].size == (64, 48)


def test_ffmpeg_is_told_to_read_local_files_and_video_formats_only():
    args = video.command("/usr/bin/ffmpeg", Path("in.mp4"), "frame%02d.png")
    assert args[args.index("-protocol_whitelist") + 1] == "file" and args.index("-protocol_whitelist") < args.index("-i")
    formats = args[args.index("-format_whitelist") + 1].split(",")
    assert "mp4" in formats and "hls" not in formats and "concat" not in formats


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_a_playlist_posing_as_a_video_is_not_followed(tmp_path):
    clip = tmp_path / "t.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=160x120:rate=5", "-pix_fmt", "yuv420p",
                    str(clip)], check=True, timeout=60)
    real = clip.read_bytes()
    assert len(video.frames(lambda fh: fh.write(real), ".mp4", timeout=30)) == 1
    # A playlist naming a file elsewhere on the disk: ffmpeg's own defaults let this through, the whitelists do not.
    segment = tmp_path / "seg.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(clip), "-c", "copy", "-f", "mpegts", str(segment)], check=True, timeout=60)
    local_hls = b"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n" + bytes(segment) + b"\n#EXT-X-ENDLIST\n"
    remote_hls = b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n"
    for playlist in (local_hls, remote_hls, b"ffconcat version 1.0\nfile '" + bytes(clip) + b"'\n"):
        assert video.frames(lambda fh, p=playlist: fh.write(p), ".mp4", timeout=30) == []


def test_text_read_in_a_photo_is_scored_as_no_kind_of_item():
    # Scored as a "post", a chart's labels carried the lean toward venting that posts have, and were called venting.
    from audit.classifier import KINDS
    from audit.media.findings import Metadata

    seen: list[list[str]] = []

    class Recording:
        def classify_texts(self, texts, kinds=None):  # type: ignore[no-untyped-def]
            seen.append(list(kinds))
            return [Verdict({}, (), 0) for _ in texts]

    scans = [analyse_mod._Scan(Media("a.jpg"), "a.jpg", "photo", Metadata(), ocr=ocr_mod.OcrResult("Name: Lopez, Maria", 10, 0.8)),
             analyse_mod._Scan(Media("b.jpg"), "b.jpg", "photo", Metadata(), ocr=ocr_mod.OcrResult("  ", 0, 0.0))]
    assert len(analyse_mod._classify_ocr(Recording(), scans)) == 1
    assert seen == [[analyse_mod.PHOTO_TEXT]] and analyse_mod.PHOTO_TEXT not in KINDS
