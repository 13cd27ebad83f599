import io

import pytest
from django.core.management import CommandError, call_command

from shebao.accounts.models import User
from shebao.audit.models import AuditEvent


def createuser(*args, stdin_text=None):
    out = io.StringIO()
    stdin = io.StringIO(stdin_text) if stdin_text is not None else None
    call_command("createuser", *args, stdout=out, stdin=stdin)
    return out.getvalue()


def test_createuser_reads_the_password_from_stdin(db):
    out = createuser("zhang", "--role", "supervisor", "--password-stdin", stdin_text="s3cret pw\n")
    user = User.objects.get(username="zhang")
    assert (user.role, user.is_staff, user.is_superuser) == ("supervisor", True, False)
    assert user.check_password("s3cret pw")
    assert "created zhang (supervisor" in out
    assert AuditEvent.objects.get(action="user.created").actor_name == "system"


def test_createuser_admin_is_a_superuser(db):
    createuser("boss", "--role", "admin", "--password-stdin", stdin_text="pw-pw-pw-pw\n")
    assert User.objects.get(username="boss").is_superuser


def test_createuser_prompts_twice_on_a_terminal(db, monkeypatch):
    answers = iter(["typed-password", "typed-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    tty = io.StringIO()
    tty.isatty = lambda: True
    call_command("createuser", "li", "--role", "clerk", stdout=io.StringIO(), stdin=tty)
    assert User.objects.get(username="li").check_password("typed-password")


def test_createuser_refuses_differing_passwords(db, monkeypatch):
    answers = iter(["one-password", "another-one"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    tty = io.StringIO()
    tty.isatty = lambda: True
    with pytest.raises(CommandError, match="differ"):
        call_command("createuser", "li", "--role", "clerk", stdout=io.StringIO(), stdin=tty)
    assert not User.objects.filter(username="li").exists()


def test_createuser_without_terminal_or_stdin_flag_refuses(db):
    with pytest.raises(CommandError, match="--password-stdin"):
        createuser("li", "--role", "clerk", stdin_text="")


def test_createuser_refuses_an_unknown_role(db):
    with pytest.raises(CommandError, match="role"):
        createuser("li", "--role", "emperor", "--password-stdin", stdin_text="pw\n")


def test_createuser_refuses_a_taken_name_with_the_reason(db):
    createuser("li", "--role", "clerk", "--password-stdin", stdin_text="pw-12345678\n")
    with pytest.raises(CommandError, match="already in use"):
        createuser("li", "--role", "clerk", "--password-stdin", stdin_text="pw-12345678\n")


def test_createuser_refuses_an_empty_password(db):
    with pytest.raises(CommandError, match="no password"):
        createuser("li", "--role", "clerk", "--password-stdin", stdin_text="\n")
