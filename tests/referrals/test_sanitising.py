"""Hostile text through every Markdown field: no script, handler, javascript: URL or style."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from consultation import markdown
from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.referrals import services
from consultation.referrals.models import Referral

HOSTILE_DIR = Path(__file__).resolve().parent.parent / "data" / "hostile"
FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "link",
    "meta",
    "img",
    "video",
    "audio",
    "source",
    "details",
    "marquee",
    "body",
    "template",
    "noscript",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "dynsrc",
    "lowsrc",
}


def hostile_inputs() -> list[str]:
    blns = json.loads((HOSTILE_DIR / "blns.json").read_text())
    owasp = (HOSTILE_DIR / "owasp_xss.txt").read_text().splitlines()
    whole = (HOSTILE_DIR / "owasp_xss.txt").read_text()
    return blns + owasp + [whole]


class Inspector(HTMLParser):
    """Collects what must never come out of user Markdown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler {name}")
            if name == "style":
                self.problems.append("style attribute")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:", "livescript:")):
                    self.problems.append(f"{name}={value!r}")


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_the_corpus_is_large_enough():
    assert len(hostile_inputs()) >= 300


def test_the_inspector_catches_what_it_should():
    assert problems_in('<p onclick="x">a</p><script>1</script><a href="javascript:x">l</a>') == [
        "handler onclick",
        "tag <script>",
        "href='javascript:x'",
    ]


def test_every_hostile_input_renders_harmless():
    failures = {}
    for text in hostile_inputs():
        found = problems_in(str(markdown.render(text)))
        if found:
            failures[text] = found
    assert failures == {}


@pytest.fixture
def hostile_referral(app, make_referral, members, make_user):
    """Every hostile input as a contribution, a referral context and a synthesis note."""
    referral_id = make_referral()
    inputs = [t for t in hostile_inputs() if t.strip()]
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        facilitator = db.session.get(User, make_user(Role.FACILITATOR).id)
        author = db.session.get(User, members[0].id)
        for text in inputs:
            services.post(referral, author, text[:20_000])
        whole = "\n\n".join(inputs)[:20_000]
        services.update_referral(
            referral,
            title=referral.title,
            question=referral.question,
            context_md=whole,
            documents=[],
            participation=referral.participation,
            visibility=referral.visibility,
            dates={},
        )
        services.add_synthesis(referral, facilitator, whole)
        db.session.commit()
    return referral_id, len(inputs)


def test_pages_showing_hostile_contributions_stay_harmless(client, hostile_referral):
    referral_id, count = hostile_referral
    pages = 0
    page_number = 1
    while True:
        response = client.get(f"/referrals/{referral_id}?page={page_number}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        # User text lives in these blocks; it cannot contain a <div> to end one early.
        blocks = re.findall(r'<div class="(?:contribution-body|prose)">(.*?)</div>', html, re.S)
        assert blocks
        assert problems_in("".join(blocks)) == []
        # And outside them, no script but our own file.
        assert html.count("<script") == 1
        pages += 1
        if f"?page={page_number + 1}" not in html:
            break
        page_number += 1
    assert pages * services.PAGE_SIZE >= count
