"""Who may do what: the named rules and the routes, as a role matrix."""

import pytest
from flask_login import AnonymousUserMixin

from consultation import permissions
from consultation.accounts.models import Role, User

ROLES = ["anonymous", "resident", "facilitator", "admin"]

# rule -> roles for which it holds
RULE_MATRIX = {
    "anyone": {"anonymous", "resident", "facilitator", "admin"},
    "is_signed_in": {"resident", "facilitator", "admin"},
    "is_anonymous": {"anonymous"},
    "can_sign_up": {"anonymous"},
    "can_invite": {"facilitator", "admin"},
    "can_manage_users": {"admin"},
    "can_view_audit": {"admin"},
    "can_manage_panels": {"facilitator", "admin"},
    "can_view_personal_data": {"facilitator", "admin"},
    "can_manage_referrals": {"facilitator", "admin"},
    "can_run_votes": {"facilitator", "admin"},
}


def person(role: str):
    if role == "anonymous":
        return AnonymousUserMixin()
    return User(email=f"{role}@example.org", display_name=role, role=Role(role), active=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule_name", sorted(RULE_MATRIX))
def test_rule_matrix(app, role, rule_name):
    rule = permissions.RULES[rule_name]
    with app.test_request_context():
        assert rule(person(role)) is (role in RULE_MATRIX[rule_name])


def test_every_rule_is_in_the_matrix():
    assert set(permissions.RULES) == set(RULE_MATRIX)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", []),
        ("resident", []),
        ("facilitator", [Role.RESIDENT]),
        ("admin", [Role.RESIDENT, Role.FACILITATOR, Role.ADMIN]),
    ],
)
def test_who_can_invite_whom(app, role, expected):
    with app.test_request_context():
        assert permissions.invitable_roles(person(role)) == expected


# route -> expected status for anonymous, resident, facilitator, admin
ROUTE_MATRIX = {
    "/": (200, 200, 200, 200),
    "/login": (200, 302, 302, 302),
    "/signup": (200, 302, 302, 302),
    "/password/forgot": (200, 302, 302, 302),
    "/account": (302, 200, 200, 200),
    "/account/delete": (302, 200, 200, 200),
    "/invitations": (302, 403, 200, 200),
    "/admin/users": (302, 403, 403, 200),
    "/admin/audit/": (302, 403, 403, 200),
}


@pytest.mark.parametrize("path", sorted(ROUTE_MATRIX))
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_route_matrix(client, make_user, login, path, role_index, role):
    if role != "anonymous":
        login(make_user(Role(role)))
    response = client.get(path)
    assert response.status_code == ROUTE_MATRIX[path][role_index]
    if response.status_code == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")


def test_every_view_declares_a_named_permission(app):
    unchecked = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "permission", None) not in permissions.RULES
    ]
    assert unchecked == []


def test_personal_pages_do_not_leak_other_accounts(client, make_user, login):
    other = make_user(email="voisin@example.org")
    login(make_user())
    assert other.email not in client.get("/account").get_data(as_text=True)
