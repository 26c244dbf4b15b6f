"""Open-data fixtures: a drawn panel whose volunteers carry distinctive personal data,
public and non-public referrals, a manifesto with amendments and votes."""

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from consultation.accounts.models import Role, User
from consultation.extensions import db
from consultation.manifesto import amendments
from consultation.manifesto import services as manifestos
from consultation.manifesto.models import AmendmentKind, ManifestoStatus
from consultation.panels import services as panels
from consultation.panels.models import Membership, MembershipStatus, Panel, PanelStatus
from consultation.referrals import services as referrals
from consultation.referrals.models import Phase, Stance, Visibility
from consultation.votes import services as votes
from tests.votes.conftest import DRAFT, english_outside_requests  # noqa: F401

POOL_SIZE = 24
SEATS = 8
QUOTAS = b"feature,value,min,max\ngenre,femme,3,5\ngenre,homme,3,5\nage,jeune,3,5\nage,ancien,3,5\n"
SEED = "20250314"


def volunteer_name(i: int) -> str:
    return f"Zéphyrine Quillebœuf{i:02d}"


def volunteer_email(i: int) -> str:
    return f"zquillebœuf{i:02d}@courriel-tres-prive.fr".replace("œ", "oe")


def volunteer_street(i: int) -> str:
    return f"{i + 3} impasse des Trémières Cachées"


def pool_csv() -> bytes:
    lines = ["id,nom,genre,age,adresse,code_postal,email,telephone"]
    for i in range(POOL_SIZE):
        genre = "femme" if i % 2 else "homme"
        age = "jeune" if (i // 2) % 2 else "ancien"
        lines.append(
            f"PRIV-{i:03d},{volunteer_name(i)},{genre},{age},{volunteer_street(i)},"
            f"35999,{volunteer_email(i)},+33 6 99 88 77 {i:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def personal_strings() -> list[str]:
    """What must never be published: every volunteer's external id, name, email,
    street and phone number."""
    strings = []
    for i in range(POOL_SIZE):
        strings += [
            f"PRIV-{i:03d}",
            volunteer_name(i),
            volunteer_email(i),
            volunteer_street(i),
            f"77 {i:02d}",
        ]
    return strings


AMENDED_TEXT = "La ville publie chaque outil numérique et son code avant de l’utiliser."
RIVAL_TEXT = "Une personne humaine prend et signe toute décision."
FORMULA_BODY = '=HYPERLINK("http://evil.example","clic") voilà mon avis'
HIDDEN_BODY = "Texte masqué par la modération, jamais publié."
PRIVATE_BODY = "Texte d’une saisine réservée au panel."


@dataclass
class World:
    panel: int
    draw: int
    members: list = field(default_factory=list)
    facilitator: object = None
    public_referral: int = 0
    private_referral: int = 0
    draft_referral: int = 0
    contributions: dict = field(default_factory=dict)
    manifesto: int = 0
    private_manifesto: int = 0
    amendments: list = field(default_factory=list)
    closed_question: int = 0
    judgment_question: int = 0
    open_question: int = 0


@pytest.fixture
def world(app, make_user) -> World:
    """Everything the open data publishes, and next to it what it must not.

    A 24-volunteer pool with names, emails, streets and phones; a real draw of 8 seats;
    five seated members with accounts (their login email is their volunteer email, as
    after accepting an invitation); a public referral with a root contribution, a reply,
    a hidden one and one that looks like a spreadsheet formula; a referral for the panel
    only and a draft one, each with something that must stay unpublished; a manifesto
    with amendments (one co-signed), a closed public vote that adopted one, a closed
    majority judgment and an open vote with one ballot.
    """
    facilitator = make_user(Role.FACILITATOR, email="animatrice@ville.example.org")
    with app.app_context():
        panel = panels.create_panel(name="Conseil citoyen ouvert", seats=SEATS)
        panels.set_quotas(panel, QUOTAS)
        panels.import_pool(panel, pool_csv(), address_columns=["adresse", "code_postal"])
        draw = panels.request_initial_draw(panel, seed=SEED, reserves=2)
        panels.draw_now(draw)
        panel_id, draw_id = panel.id, draw.id
        seated = db.session.scalars(
            sa.select(Membership).where(Membership.panel_id == panel_id).order_by(Membership.id)
        ).all()
        member_ids = []
        for n, membership in enumerate(seated[:5]):
            member = User(
                email=membership.volunteer.email,
                display_name=f"Participant {n}",
                role=Role.RESIDENT,
                language="en",
                active=True,
            )
            db.session.add(member)
            db.session.flush()
            membership.user_id = member.id
            membership.status = MembershipStatus.ACTIVE
            member_ids.append(member.id)
        db.session.get(Panel, panel_id).status = PanelStatus.ACTIVE
        db.session.commit()

        members = [db.session.get(User, i) for i in member_ids]
        actor = db.session.get(User, facilitator.id)
        panel = db.session.get(Panel, panel_id)

        def referral(title, visibility=Visibility.PUBLIC, phase=Phase.OPEN):
            item = referrals.create_referral(
                panel=panel,
                title=title,
                question="Comment publier les données de la ville ?",
                context_md="Le **contexte**.",
                documents=[{"title": "Délibération", "url": "https://ville.example.org/d.pdf"}],
                visibility=visibility,
            )
            while item.phase is not phase:
                referrals.move_phase(item, referrals.next_phase(item))
            return item

        public = referral("Données ouvertes de la ville")
        root = referrals.post(public, members[0], "Publions tout.", stance=Stance.PROPOSAL)
        db.session.flush()
        reply = referrals.post(
            public,
            members[1],
            "D’accord, sauf les données personnelles.",
            parent=root,
            stance=Stance.AGREE,
        )
        formula = referrals.post(public, members[2], FORMULA_BODY)
        hidden = referrals.post(public, members[3], HIDDEN_BODY)
        db.session.flush()
        referrals.toggle_support(root, members[1])
        referrals.hide(hidden, actor, "Hors sujet.")

        private = referral("Saisine réservée", visibility=Visibility.PANEL)
        referrals.post(private, members[0], PRIVATE_BODY)
        draft = referral("Saisine en préparation", phase=Phase.DRAFT)
        db.session.flush()

        manifesto = manifestos.import_manifesto(public, DRAFT)
        private_manifesto = manifestos.import_manifesto(private, DRAFT)
        manifesto.status = ManifestoStatus.AMENDING
        clauses = [c for s in manifesto.sections for c in s.clauses]
        adopted = amendments.propose(
            manifesto, clauses[0], AmendmentKind.REPLACE, AMENDED_TEXT, "Plus précis.", members[0]
        )
        amendments.cosign(adopted, members[1])
        rival = amendments.propose(
            manifesto, clauses[1], AmendmentKind.REPLACE, RIVAL_TEXT, "=1+1", members[2]
        )
        deletion = amendments.propose(
            manifesto, clauses[2], AmendmentKind.DELETE, None, "Inutile.", members[3]
        )
        manifesto.status = ManifestoStatus.VOTING
        db.session.flush()

        closed = votes.open_on_amendment(adopted)
        for member, choice in zip(
            members, ["for", "for", "for", "against", "abstain"], strict=True
        ):
            votes.cast(closed, member, choice)
        assert votes.close(closed) == "adopted"
        judgment = votes.open_judgment(manifesto, title="Quelle formulation ?", clause=clauses[1])
        options = [o.id for o in judgment.options]
        for member, grades in zip(members[:4], [(6, 2), (5, 3), (1, 4), (2, 6)], strict=True):
            votes.cast_judgment(judgment, member, dict(zip(options, grades, strict=True)))
        votes.close(judgment)
        still_open = votes.open_on_amendment(deletion)
        votes.cast(still_open, members[4], "for")
        db.session.commit()

        return World(
            panel=panel_id,
            draw=draw_id,
            members=[(m.id, m.email) for m in members],
            facilitator=facilitator,
            public_referral=public.id,
            private_referral=private.id,
            draft_referral=draft.id,
            contributions={
                "root": root.id,
                "reply": reply.id,
                "formula": formula.id,
                "hidden": hidden.id,
            },
            manifesto=manifesto.id,
            private_manifesto=private_manifesto.id,
            amendments=[adopted.id, rival.id, deletion.id],
            closed_question=closed.id,
            judgment_question=judgment.id,
            open_question=still_open.id,
        )
