import pytest

from shebao.accounts import domain


def test_only_admin_is_superuser_and_only_staff_roles_are_staff():
    for role in domain.ALL_ROLES:
        flags = domain.admin_flags(role)
        assert flags["is_staff"] == (role in domain.STAFF_ROLES)
        assert flags["is_superuser"] == (role == domain.ADMIN)


def test_account_management_is_for_administrators_only():
    assert [r for r in sorted(domain.ALL_ROLES) if domain.can(r, "user.manage")] == ["admin"]
    assert [r for r in sorted(domain.ALL_ROLES) if domain.can(r, "token.revoke")] == ["admin"]


def test_the_audit_trail_is_read_by_auditors_supervisors_and_admins():
    readers = {r for r in domain.ALL_ROLES if domain.can(r, "audit.view")}
    assert readers == {"auditor", "supervisor", "admin"}


def test_public_users_have_no_staff_only_actions():
    for action in ("user.view", "token.view", "login_failure.view", "audit.view"):
        assert not domain.can("person", action)
        assert not domain.can("unit_rep", action)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        domain.can("admin", "no.such.action")
