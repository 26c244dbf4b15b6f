"""Demo manifesto: the panel's draft answer to the demo referral, its amendments and votes.
Written in French."""

import re

from consultation.manifesto.models import AmendmentKind


def typeset(text: str) -> str:
    """French spacing: a narrow no-break space (U+202F) before ; : ? ! and inside « ».

    The texts below are typed with ordinary spaces so that they stay legible here; the
    invisible characters are put in one place, the same way for every text.
    """
    text = re.sub(r" ([;:?!»])", "\u202f\\1", text)
    return text.replace("« ", "«\u202f")


TITLE = "Manifeste pour une intelligence artificielle au service des habitants"

DRAFT = typeset(f"""\
# {TITLE}

Saisi par la ville de la question « Quelle place pour l’intelligence artificielle dans la vie des habitants ? », le Conseil citoyen du numérique responsable a débattu pendant plusieurs semaines, à partir des contributions des habitantes et des habitants et des documents transmis par les services municipaux.

Ce manifeste rassemble les principes que nous demandons à la ville de respecter avant de recourir à un outil d’intelligence artificielle, puis tout au long de son usage. Il ne dit pas quels outils acheter : il fixe les conditions auxquelles un outil peut servir les habitants sans les tenir à l’écart des décisions qui les concernent.

## Transparence et information

- La ville tient un registre public des algorithmes et des outils d’intelligence artificielle qu’elle utilise, avec pour chacun sa finalité, le service concerné, les données traitées et le fournisseur retenu.
- Chaque habitant est informé, clairement et au moment même, lorsqu’un outil d’intelligence artificielle intervient dans une démarche, un échange ou une décision qui le concerne.
- Les courriers et les réponses rédigés avec l’aide d’un outil automatique le mentionnent, et indiquent le service à contacter pour obtenir des explications.

## Décision humaine et recours

- Aucune décision individuelle (aide sociale, place en crèche, logement, inscription scolaire) n’est prise par un outil seul : un agent l’examine et en reste responsable.
- Toute personne peut demander à parler à un interlocuteur humain, au guichet ou par téléphone, à chaque étape d’une démarche, sans avoir à justifier sa demande.
- Chacun peut obtenir, dans un délai d’un mois, une explication compréhensible des critères qui ont conduit à une décision le concernant, et la contester auprès d’un agent.

## Données personnelles et souveraineté

- La ville n’utilise aucun dispositif de reconnaissance faciale ni d’analyse automatisée des comportements dans l’espace public.
- Les données des habitants sont hébergées en France, par un hébergeur public ou soumis au seul droit européen ; elles ne sont jamais revendues ni cédées à des fins commerciales.
- Les logiciels libres sont privilégiés chaque fois qu’ils répondent au besoin, afin que la ville ne dépende pas d’un seul fournisseur.

## Sobriété numérique et environnement

- Chaque projet fait l’objet d’un bilan carbone et d’une estimation de sa consommation d’énergie, publiés avant la décision d’achat.
- La ville choisit l’outil le plus sobre qui réponde au besoin, et renonce à un outil dont le bénéfice ne justifie pas l’empreinte environnementale. Les usages qui réduisent directement les consommations, comme la détection des fuites d’eau, sont examinés en priorité.

## Inclusion et accompagnement

- Aucune démarche municipale n’est accessible uniquement en ligne ou par un assistant automatique : l’accueil physique et le téléphone restent toujours possibles.
- La ville renforce la médiation numérique dans les mairies de quartier, les bibliothèques et les centres sociaux, avec des conseillers capables d’expliquer ces outils.
- Les agents sont formés aux usages, aux limites et aux biais des outils d’intelligence artificielle avant leur mise en service.

## Achats publics et évaluation

- Les marchés publics portant sur un outil d’intelligence artificielle comportent des clauses de transparence sur son fonctionnement, de réversibilité des données et d’accès de la ville à ses journaux d’utilisation.
- Chaque outil fait l’objet d’une évaluation annuelle publique, menée avec des habitants tirés au sort, qui mesure son utilité réelle, son coût et ses effets sur les usagers.
- Un outil qui n’a pas démontré son utilité au terme d’une expérimentation d’un an au plus est abandonné.
""")

# Amendments, in the order they are proposed:
# (key, clause number in the draft, kind, proposed text, rationale, author, co-signers).
# Authors and co-signers are members of the panel, by their rank among the seated members.
# The first three compete on clause 1.1: "registre-en-ligne" changes its first words and is
# adopted; "registre-cout" changes its end, and is rebased; "registre-metropole" rewrites
# the same first words, and needs an update.
AMENDMENTS = [
    (
        "registre-en-ligne",
        "1.1",
        AmendmentKind.REPLACE,
        "La ville publie en ligne et tient à jour un registre public des algorithmes et des "
        "outils d’intelligence artificielle qu’elle utilise, avec pour chacun sa finalité, le "
        "service concerné, les données traitées et le fournisseur retenu.",
        "Un registre n’est utile que s’il est facile à consulter et à jour. Précisons qu’il "
        "est publié en ligne et complété dès qu’un nouvel outil est mis en service.",
        3,
        [5, 8],
    ),
    (
        "registre-cout",
        "1.1",
        AmendmentKind.REPLACE,
        "La ville tient un registre public des algorithmes et des outils d’intelligence "
        "artificielle qu’elle utilise, avec pour chacun sa finalité, le service concerné, les "
        "données traitées, le fournisseur retenu et son coût annuel.",
        "Pour juger si un outil en vaut la peine, il faut savoir ce qu’il coûte chaque année : "
        "licences, hébergement, formation. C’était une demande forte du fil sur la preuve "
        "d’utilité.",
        21,
        [20],
    ),
    (
        "registre-metropole",
        "1.1",
        AmendmentKind.REPLACE,
        "La ville et la métropole tiennent un registre commun des algorithmes et des outils "
        "d’intelligence artificielle qu’elles utilisent, avec pour chacun sa finalité, le "
        "service concerné, les données traitées et le fournisseur retenu.",
        "Beaucoup d’outils sont achetés par la métropole pour le compte des communes (eau, "
        "transports). Un registre limité à la ville en laisserait une grande partie dans "
        "l’ombre.",
        17,
        [],
    ),
    (
        "langage-clair",
        "5.2",
        AmendmentKind.INSERT_AFTER,
        "Les informations sur les outils utilisés par la ville sont publiées en langage clair, "
        "en version « facile à lire et à comprendre », et traduites dans les principales "
        "langues parlées par les habitants.",
        "Plusieurs habitants l’ont rappelé pendant la délibération : la transparence ne sert à "
        "rien si l’information n’est compréhensible que par des spécialistes ou par ceux qui "
        "lisent bien le français.",
        10,
        [2, 14, 22],
    ),
    (
        "supprimer-reconnaissance-faciale",
        "3.1",
        AmendmentKind.DELETE,
        None,
        "La loi encadre déjà strictement la reconnaissance faciale. Le manifeste gagnerait à "
        "se concentrer sur ce que la ville décide elle-même, plutôt que de rappeler des "
        "interdictions qui ne dépendent pas d’elle.",
        4,
        [],
    ),
    (
        "experimentation-dix-huit-mois",
        "6.3",
        AmendmentKind.REPLACE,
        "Un outil qui n’a pas démontré son utilité au terme d’une expérimentation de dix-huit "
        "mois au plus est abandonné.",
        "Un an paraît court pour mesurer les effets d’un outil sur un service qui ne concerne "
        "que quelques centaines de personnes par an.",
        12,
        [],
    ),
]
AMENDMENTS = [
    (key, number, kind, text and typeset(text), typeset(rationale), author, cosigners)
    for key, number, kind, text, rationale, author, cosigners in AMENDMENTS
]

# Withdrawn by its author once the panel agreed that a year is enough for a first review.
WITHDRAWN = ["experimentation-dix-huit-mois"]

# Closed votes on amendments: (key, ballots for, against, abstaining). Thirty members sit.
AMENDMENT_VOTES = [
    ("registre-en-ligne", 19, 6, 3),
    ("langage-clair", 22, 3, 4),
    ("supprimer-reconnaissance-faciale", 5, 20, 3),
]

PRIORITIES_TITLE = typeset("Quelles priorités pour la première année ?")
# Each option with the grade the panel tends to give it (6: excellent ... 0: to reject).
PRIORITIES = [
    ("Publier le registre des algorithmes", 4),
    ("Garantir un interlocuteur humain dans chaque démarche", 5),
    ("Mesurer l’empreinte environnementale des outils", 3),
    ("Former les agents et renforcer la médiation numérique", 4),
]
PRIORITIES_VOTERS = 27

# The vote left open, so that a visitor signed in as a member can take part: the adoption
# of a clause, with the ballots cast so far (for, against, abstaining), none of them by
# the first demo resident.
OPEN_VOTE_CLAUSE = "2.2"
OPEN_VOTE_BALLOTS = (7, 1, 1)

# The facilitators' note that points from the referral to the manifesto and its votes.
ANNOUNCEMENT = typeset("""\
**Le projet de manifeste est soumis au vote.** À l’issue de la phase d’amendements, le \
conseil a adopté deux amendements et en a rejeté un ; il a aussi classé ses priorités pour la \
première année. Le vote sur l’adoption de la clause {clause} est ouvert : [lire le projet de \
manifeste]({manifesto}) et [voir les votes]({votes}).
""")
