"""User Markdown, rendered then sanitised: the only way user text becomes HTML."""

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "del",
    "ins",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_LENGTH = 20_000


def render(text: str) -> Markup:
    """Markdown to safe HTML: no script, event handler, style, or non-web link survives.

    Raw HTML in the source is escaped by Markdown's own rules and then whatever
    remains is filtered by nh3 against an allow-list. Links get
    ``rel="nofollow noopener ugc"``. Headings start at level 3 so that user text never
    competes with the page's own structure.
    """
    html = markdown_lib.markdown(
        text or "",
        extensions=["sane_lists", "tables"],
        output_format="html",
    )
    # Shift headings: a user's "# Title" becomes an h3 inside the page.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )
    return Markup(clean)


def init_app(app) -> None:
    app.jinja_env.globals["render_markdown"] = render
