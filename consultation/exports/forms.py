"""Export forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from consultation.forms import options

FORMAT_CHOICES = [
    ("pdf", _l("PDF (print, attach to a council deliberation)")),
    ("docx", _l("Word (DOCX)")),
    ("odt", _l("OpenDocument (ODT, LibreOffice)")),
    ("html", _l("Web page (HTML, print-ready)")),
    ("md", _l("Markdown")),
    ("json", _l("JSON (data)")),
]


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download changes nothing

    format = RadioField(
        _l("Format"),
        choices=options(FORMAT_CHOICES),
        default="pdf",
        validators=[InputRequired()],
    )
    provenance = BooleanField(
        _l("Provenance notes"),
        description=_l("Under each clause: the amendment, its author and the vote that made it."),
    )
    redline_since = StringField(
        _l("Mark the changes since"),
        validators=[Optional(), Length(max=20)],
        description=_l(
            "A revision number (0 is the imported draft) or a date written YYYY-MM-DD. "
            "Leave empty for the clean text."
        ),
    )
    report = BooleanField(
        _l("Process report"),
        description=_l(
            "An appendix: the panel's composition and draw, the referral's timeline, "
            "participation and vote tallies."
        ),
    )
    submit = SubmitField(_l("Download"))
