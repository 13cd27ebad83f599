import pytest

from shebao.accounts import services
from shebao.accounts.models import ApiToken
from shebao.audit.models import AuditEvent
from shebao.core.errors import Conflict, InvalidInput, PermissionDenied


@pytest.fixture
def admin(make_user):
    return make_user("root-admin", "admin")


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        ("clerk", True, False),
        ("auditor", True, False),
        ("finance", True, False),
        ("supervisor", True, False),
        ("admin", True, True),
        ("person", False, False),
        ("unit_rep", False, False),
    ],
)
def test_user_create_sets_admin_flags_from_the_role(admin, role, staff, superuser, settings):
    # The test settings put a fast hasher first; production's list starts with Argon2.
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    user = services.user_create(
        actor=admin, username=f"new-{role}", password="a long passphrase", role=role
    )
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (role, staff, superuser)
    assert user.password.startswith("argon2$")
    assert user.check_password("a long passphrase")


def test_user_create_is_audited_without_the_password(admin):
    user = services.user_create(
        actor=admin, username="wang", password="secret-pass-1", role="clerk", email="w@x.cn"
    )
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor_name, event.target_type, event.target_id) == (
        "root-admin",
        "accounts.user",
        str(user.pk),
    )
    assert event.data == {"username": "wang", "role": "clerk", "email": "w@x.cn"}
    assert "secret-pass-1" not in str(event.data)


def test_user_create_by_the_system_is_recorded_as_system(db):
    services.user_create(actor=None, username="first", password="pw-12345678", role="admin")
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor_id, event.actor_name, event.actor_role) == (None, "system", "system")


def test_user_create_refuses_a_taken_name(admin):
    services.user_create(actor=admin, username="li", password="pw-12345678", role="clerk")
    with pytest.raises(Conflict) as refused:
        services.user_create(actor=admin, username="li", password="pw-12345678", role="auditor")
    assert refused.value.code == "username_taken"
    assert "username" in refused.value.fields


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"username": "has space"}, "username"),
        ({"username": ""}, "username"),
        ({"email": "not-an-address"}, "email"),
        ({"password": ""}, "password"),
    ],
)
def test_user_create_names_the_bad_field(admin, kwargs, field):
    args = {"username": "zhao", "password": "pw-12345678", "role": "clerk", **kwargs}
    with pytest.raises(InvalidInput) as refused:
        services.user_create(actor=admin, **args)
    assert field in refused.value.fields
    assert not AuditEvent.objects.filter(action="user.created").exists()


def test_user_create_applies_the_password_validators(admin, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 10},
        }
    ]
    with pytest.raises(InvalidInput) as refused:
        services.user_create(actor=admin, username="sun", password="short", role="clerk")
    assert refused.value.code == "weak_password"
    assert "password" in refused.value.fields


def test_user_create_without_password_cannot_log_in(admin):
    user = services.user_create(actor=admin, username="sso", password=None, role="person")
    assert not user.has_usable_password()


@pytest.mark.parametrize("role", ["clerk", "auditor", "finance", "supervisor", "person"])
def test_only_an_administrator_manages_accounts(make_user, role):
    actor = make_user(f"actor-{role}", role)
    with pytest.raises(PermissionDenied):
        services.user_create(actor=actor, username="x1", password="pw-12345678", role="admin")
    with pytest.raises(PermissionDenied):
        services.user_update(actor=actor, user=actor, role="admin")


def test_user_update_changes_role_and_flags_and_records_the_change(admin, make_user):
    user = make_user("qian", "clerk")
    updated = services.user_update(actor=admin, user=user, role="admin", email="q@x.cn")
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser, user.email) == (
        "admin",
        True,
        True,
        "q@x.cn",
    )
    assert updated.pk == user.pk
    event = AuditEvent.objects.get(action="user.updated")
    assert event.data["changes"]["role"] == ["clerk", "admin"]
    assert event.data["changes"]["is_superuser"] == [False, True]

    services.user_update(actor=admin, user=user, role="person")
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_user_update_with_nothing_new_records_nothing(admin, make_user):
    user = make_user("zhou", "clerk")
    services.user_update(actor=admin, user=user, role="clerk")
    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_the_last_administrator_cannot_be_demoted_or_deactivated(admin, make_user):
    with pytest.raises(Conflict) as refused:
        services.user_update(actor=None, user=admin, role="clerk")
    assert refused.value.code == "last_admin"
    with pytest.raises(Conflict):
        services.user_deactivate(actor=None, user=admin)

    make_user("second-admin", "admin")
    services.user_update(actor=None, user=admin, role="clerk")
    admin.refresh_from_db()
    assert admin.role == "clerk"


def test_user_deactivate_blocks_login_and_revokes_tokens(admin, make_user, anon):
    user = make_user("wu", "clerk")
    key = services.token_issue(username="wu", password="demo-password-1", address="t")
    services.user_deactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert not user.is_active
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert services.token_user(key) is None
    refused = anon.post("auth/token", {"username": "wu", "password": "demo-password-1"})
    assert refused.status_code == 401
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.data == {"tokens_revoked": 1}


def test_user_deactivate_refuses_twice_and_oneself(admin, make_user):
    user = make_user("zheng", "clerk")
    services.user_deactivate(actor=admin, user=user)
    with pytest.raises(Conflict) as twice:
        services.user_deactivate(actor=admin, user=user)
    assert twice.value.code == "already_inactive"
    with pytest.raises(Conflict) as self_off:
        services.user_deactivate(actor=admin, user=admin)
    assert self_off.value.code == "self_deactivation"


def test_user_activate_lets_the_account_log_in_again(admin, make_user):
    user = make_user("feng", "clerk")
    services.user_deactivate(actor=admin, user=user)
    services.user_activate(actor=admin, user=user)
    assert services.token_issue(username="feng", password="demo-password-1", address="t")
    with pytest.raises(Conflict):
        services.user_activate(actor=admin, user=user)


def test_user_set_password_replaces_it_and_revokes_tokens(admin, make_user):
    user = make_user("chen", "finance")
    key = services.token_issue(username="chen", password="demo-password-1", address="t")
    services.user_set_password(actor=admin, user=user, password="new-password-22")
    user.refresh_from_db()
    assert user.check_password("new-password-22")
    assert not user.check_password("demo-password-1")
    assert services.token_user(key) is None
    event = AuditEvent.objects.get(action="user.password_set")
    assert event.data == {"by_self": False, "tokens_revoked": 1}
    assert "new-password-22" not in str(event.data)


def test_anyone_may_set_their_own_password_but_not_someone_elses(make_user):
    clerk = make_user("chu", "clerk")
    other = make_user("wei", "clerk")
    services.user_set_password(actor=clerk, user=clerk, password="my-own-password")
    clerk.refresh_from_db()
    assert clerk.check_password("my-own-password")
    assert AuditEvent.objects.get(action="user.password_set").data["by_self"] is True
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=clerk, user=other, password="taken-over-1")


def test_user_set_password_none_disables_password_logins(admin, make_user):
    user = make_user("jiang", "person")
    services.user_set_password(actor=admin, user=user, password=None)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.password_disabled").count() == 1


def test_token_revoke_many_needs_the_revoke_permission(admin, make_user):
    owner = make_user("shen", "clerk")
    services.token_issue(username="shen", password="demo-password-1", address="t")
    token = ApiToken.objects.get(user=owner)
    supervisor = make_user("han", "supervisor")
    with pytest.raises(PermissionDenied):
        services.token_revoke_many(actor=supervisor, token_ids=[token.pk])
    assert services.token_revoke_many(actor=admin, token_ids=[token.pk]) == 1
    assert services.token_revoke_many(actor=admin, token_ids=[token.pk]) == 0
    event = AuditEvent.objects.filter(action="auth.token_revoked").get()
    assert (event.actor_name, event.data) == ("root-admin", {"owner": "shen"})
