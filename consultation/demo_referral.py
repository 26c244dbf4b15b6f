"""Demo referral: what place should AI have in residents' lives? Written in French."""

from datetime import date, timedelta

TITLE = "Quelle place pour l’intelligence artificielle dans la vie des habitants ?"
QUESTION = (
    "La ville envisage d’utiliser des outils d’intelligence artificielle dans ses services. "
    "Dans quels domaines cela peut-il améliorer la vie des habitantes et des habitants, à "
    "quelles conditions, et où faut-il au contraire s’en abstenir ?"
)
CONTEXT = """\
La ville est sollicitée par de nombreuses offres « intelligentes » : transport à la demande,
gestion de l’énergie et de l’eau, accueil des usagers, aide à l’instruction des dossiers.
Le conseil municipal souhaite un **avis du conseil citoyen du numérique responsable** avant
de s’engager.

Quelques repères pour la discussion :

- une collectivité reste responsable des décisions prises avec l’aide d’un outil ;
- les données des habitants relèvent du RGPD et, pour certaines, du secret professionnel ;
- chaque outil a un coût : achat, énergie, formation des agents, dépendance à un fournisseur.

Le conseil rendra un **manifeste** : des principes que la ville s’engage à respecter.
"""
DOCUMENTS = [
    {
        "title": "Délibération du conseil municipal du 12 septembre",
        "url": "https://example.org/ville/deliberation-ia.pdf",
    },
    {
        "title": "Inventaire des usages numériques des services municipaux",
        "url": "https://example.org/ville/inventaire-numerique.pdf",
    },
]

# (author index among the members, stance, text, replies as (author, stance, text, replies))
THREADS = [
    (
        1,
        "proposal",
        "**Transport à la demande** : dans les quartiers périphériques, un minibus qui passe "
        "quand on le réserve, avec un calcul d’itinéraire automatique, rendrait service aux "
        "personnes âgées. À condition de pouvoir réserver **par téléphone**, pas seulement par "
        "une application.",
        [
            (
                2,
                "agree",
                "D’accord, ma mère n’a pas de smartphone. Le téléphone doit rester possible.",
                [
                    (
                        3,
                        "question",
                        "Qui répond au téléphone ? Un agent ou un robot vocal ?",
                        [
                            (
                                1,
                                None,
                                "Un agent, sinon on exclut ceux qui ont le plus besoin du service.",
                                [],
                            )
                        ],
                    )
                ],
            ),
            (
                4,
                "disagree",
                "Un bus régulier toutes les vingt minutes serait plus simple et plus "
                "fiable qu’un algorithme.",
                [],
            ),
        ],
    ),
    (
        5,
        "question",
        "**Télémédecine** : la ville a-t-elle vraiment un rôle à jouer ? Les cabines de "
        "téléconsultation dans les mairies de quartier me semblent un pis-aller face au manque "
        "de médecins.",
        [
            (
                6,
                "agree",
                "Un pis-aller, oui, mais mieux que trois mois d’attente. Il faudrait une "
                "infirmière présente pendant la consultation.",
                [],
            ),
            (
                7,
                "proposal",
                "La ville pourrait plutôt aider des médecins à s’installer. L’IA ne "
                "remplace pas un cabinet.",
                [],
            ),
        ],
    ),
    (
        8,
        "proposal",
        "**Énergie et eau** : détecter les fuites sur le réseau d’eau et ajuster le chauffage "
        "des écoles selon l’occupation, c’est utile et ça ne touche pas à la vie privée. "
        "Commençons par là.",
        [
            (
                9,
                "agree",
                "Oui, les économies sont mesurables. Il faudra publier les résultats.",
                [
                    (
                        10,
                        "question",
                        "Et l’énergie consommée par les serveurs de ces outils, on la compte ?",
                        [],
                    )
                ],
            )
        ],
    ),
    (
        11,
        "disagree",
        "**Emplois locaux** : j’ai peur qu’on remplace des agents par des logiciels. "
        "L’accueil en mairie, c’est aussi du lien.",
        [
            (
                12,
                "proposal",
                "Alors écrivons noir sur blanc : aucun poste d’accueil supprimé à "
                "cause d’un outil d’IA.",
                [],
            ),
            (
                13,
                None,
                "Les agents pourraient être libérés des tâches répétitives pour passer plus "
                "de temps avec les gens. Tout dépend de ce qu’on en fait.",
                [],
            ),
        ],
    ),
    (
        14,
        "proposal",
        "**Alléger les démarches aux guichets** : un assistant qui aide à remplir un dossier "
        "d’aide sociale, pourquoi pas, mais la décision doit toujours être prise par une "
        "personne, qui peut l’expliquer.",
        [(15, "agree", "Et on doit savoir quand on parle à une machine.", [])],
    ),
    (
        16,
        "proposal",
        "**Former les agents** : avant d’acheter quoi que ce soit, que les agents soient formés "
        "pour comprendre ce que font ces outils et leurs limites.",
        [],
    ),
    (
        17,
        "question",
        "**Mutualiser les données** avec les communes voisines : qui en est propriétaire ? "
        "Je ne veux pas que nos données partent chez un géant du numérique.",
        [
            (
                18,
                "proposal",
                "Un hébergement public ou local, et des logiciels libres quand c’est possible.",
                [],
            )
        ],
    ),
    (
        19,
        None,
        "**Infrastructures** : la fibre n’arrive toujours pas dans mon lotissement. Avant l’IA, "
        "il faudrait que tout le monde ait une connexion correcte.",
        [],
    ),
    (
        20,
        "disagree",
        "**À quoi bon ?** Je ne suis pas sûr que la ville ait besoin d’IA du tout. Qu’on nous "
        "montre d’abord un problème concret que ça résout mieux qu’autre chose.",
        [
            (
                21,
                "agree",
                "Bonne question. Chaque projet devrait prouver son utilité avant d’être "
                "lancé, et être arrêté s’il ne sert pas.",
                [],
            ),
            (
                22,
                "disagree",
                "Pour les fuites d’eau, l’utilité est prouvée ailleurs. Ne jetons pas tout.",
                [],
            ),
        ],
    ),
]

SYNTHESIS = """\
**Point d’étape de l’équipe d’animation.** Trois lignes se dégagent :

1. des usages bien acceptés quand ils ne touchent pas aux personnes (fuites d’eau,
   chauffage des bâtiments) ;
2. une exigence forte de garder un **humain joignable** et responsable des décisions ;
3. une demande de **preuve d’utilité** avant tout achat, et de transparence sur les coûts,
   y compris énergétiques.
"""


def dates() -> dict:
    start = date.today() - timedelta(weeks=5)
    return {
        "opens_on": start,
        "deliberation_on": start + timedelta(weeks=4),
        "drafting_on": start + timedelta(weeks=8),
        "vote_on": start + timedelta(weeks=11),
        "closes_on": start + timedelta(weeks=12),
    }
