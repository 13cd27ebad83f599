"""``shebao clearance``: the whole clearance flow from a terminal, as a named user.

Every subcommand acts as ``--as USERNAME`` and goes through the same services (and
checks, and audit trail) as the API; the answer is the case (or the order, the
material) as JSON: its state and what is still to do, not the API's whole answer.

    shebao clearance create --as clerk --subject person --id 3 --reason death \\
        --event-date 2025-10-20 --heir "Li Na,110105198001010011,60,6222...,ICBC" ...
    shebao clearance material --as clerk 7 --kind death_certificate scan.pdf
    shebao clearance submit --as clerk 7
    shebao clearance accept --as clerk 7 [--acknowledge-warning ID]
    shebao clearance approve --as auditor 7 [--acknowledge-warning ID --reasons "..."]
    shebao clearance liquidate --as finance 7
    shebao clearance disburse --as finance 7 --idempotency-key k-7
    shebao clearance order-paid --as finance 12 --reference BANK-1
    shebao clearance close --as clerk 7
    shebao clearance certificate-pdf --as clerk 7 --output cert.pdf
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shebao.clearance import payment_file, selectors, services
from shebao.clearance import pdfs as clearance_pdfs
from shebao.clearance.models import PaymentBatch
from shebao.core import dates
from shebao.core.errors import ShebaoError
from shebao.core.ids import mask_account
from shebao.core.money import format_money
from shebao.documents.domain import verify_path

CASE_ACTIONS = ("submit", "liquidate", "close", "acknowledge")


def _order_data(order) -> dict:
    return {
        "id": order.pk,
        "case_id": order.case_id,
        "payee": order.payee_name,
        "slot": order.slot,
        "direction": order.direction,
        "channel": order.channel,
        "amount": format_money(order.amount),
        "status": order.status,
        "bank_account": mask_account(order.bank_account) if order.bank_account else None,
        "bank_name": order.bank_name,
        "needs_second_approval": order.needs_second_approval,
        "paid_on": order.paid_on,
        "bank_reference": order.bank_reference,
        "failure_reason": order.failure_reason,
        "bank_return_reference": order.bank_return_reference,
        "reissue_of": order.reissue_of_id,
    }


def _case_data(case, user) -> dict:
    """The case's state, what it still lacks, its statement total, orders and certificate."""
    statement = selectors.latest_statement(case)
    certificate = case.certificate
    data = {
        "id": case.pk,
        "status": case.status,
        "subject_type": case.subject_type,
        "subject": selectors.subject_name(case),
        "reason": case.reason,
        "event_date": case.event_date,
        "round": case.round,
        "materials_required": selectors.materials_required(case),
        "materials_missing": selectors.missing_materials(case),
        "materials_unverified": selectors.unverified_materials(case),
        "to_supplement": list(case.to_supplement),
        "statement_total": format_money(statement.total) if statement is not None else None,
        "disbursements": [_order_data(o) for o in case.orders.order_by("pk")],
        "certificate": (
            {"number": certificate.number, "verification_code": certificate.verification_code}
            if certificate is not None
            else None
        ),
    }
    if user.is_agency_staff:
        # The warnings name other cases: agency staff only, as in the API.
        data["warnings"] = selectors.payee_warnings(case)
    return data


def _date(value):
    day = dates.iso_date(value)
    if day is None:
        raise CommandError(f"{value!r} is not a real date YYYY-MM-DD")
    return day


def _heir(text: str) -> dict:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 5:
        raise CommandError(
            f"--heir {text!r}: give name,citizen_id,share_percent,bank_account,bank_name"
        )
    name, citizen_id, share, account, bank = parts
    return {
        "name": name,
        "citizen_id": citizen_id,
        "share_percent": share,
        "bank_account": account,
        "bank_name": bank,
    }


class Command(BaseCommand):
    help = "Clearance cases from a terminal: create, materials, each step, orders, documents."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)

        def command(name, help_text, *, case=True):
            p = sub.add_parser(name, help=help_text)
            p.add_argument("--as", dest="username", required=True, help="Acting user name.")
            if case:
                p.add_argument("case_id", type=int)
            return p

        command("list", "List cases.", case=False).add_argument("--overdue", action="store_true")
        command("show", "Show a case.")
        create = command("create", "Open a case (draft).", case=False)
        create.add_argument("--subject", choices=("person", "unit"), required=True)
        create.add_argument("--id", dest="subject_id", type=int, required=True)
        create.add_argument("--reason", required=True)
        create.add_argument("--event-date", required=True)
        create.add_argument("--payee-name")
        create.add_argument("--bank-account")
        create.add_argument("--bank-name")
        create.add_argument("--heir", action="append", default=[])
        create.add_argument("--destination-region")
        create.add_argument("--successor-unit-id", type=int)
        create.add_argument("--acknowledged", action="store_true")
        material = command("material", "Upload a material file.")
        material.add_argument("--kind", required=True)
        material.add_argument("file")
        verify = command(
            "verify-material", "Record the check of a material the agency holds itself."
        )
        verify.add_argument("--kind", required=True)
        verify.add_argument("--note", required=True)
        for name in CASE_ACTIONS:
            command(name, f"{name.capitalize()} the case.")
        accept = command("accept", "Accept the case.")
        accept.add_argument(
            "--acknowledge-warning",
            action="append",
            default=[],
            help="The id of a warning the acceptance raised (an open employment) that was checked.",
        )
        returned = command("return", "Return for completion.")
        returned.add_argument("--reasons", required=True)
        returned.add_argument("--supplement", action="append", default=[])
        approve = command("approve", "Approve the audit.")
        approve.add_argument("--reasons", default="")
        approve.add_argument(
            "--acknowledge-warning",
            action="append",
            default=[],
            help="The id of a warning of the case (see show) that was checked.",
        )
        command("reject", "Reject.").add_argument("--reasons", required=True)
        command("disburse", "Order the payments.").add_argument("--idempotency-key")
        for name in ("order-approve", "order-paid", "order-failed", "order-reissue"):
            p = command(name, f"{name.replace('-', ' ')}.", case=False)
            p.add_argument("order_id", type=int)
            if name == "order-paid":
                p.add_argument("--reference", required=True)
                p.add_argument("--paid-on")
            elif name == "order-failed":
                p.add_argument("--reason", required=True)
                p.add_argument(
                    "--bank-return-reference",
                    default="",
                    help="The bank's reference of the returned payment (required once sent).",
                )
            elif name == "order-reissue":
                p.add_argument("--bank-account")
                p.add_argument("--bank-name")
                p.add_argument("--payee-name")
        command("payment-file", "Write the bank payment file.", case=False).add_argument(
            "--output", required=True
        )
        for name in ("statement-pdf", "certificate-pdf"):
            p = command(name, f"Write the {name.split('-')[0]} PDF.")
            p.add_argument("--output", required=True)
            p.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {options['username']!r}")
        name = options["subcommand"].replace("-", "_")
        try:
            result = getattr(self, f"do_{name}")(user, options)
        except ShebaoError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(
                f"{exc.code}: {exc.message}" + (f" ({detail})" if detail else "")
            ) from None
        if result is not None:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    def _case(self, user, case_id):
        return _case_data(selectors.case_get(user=user, case_id=case_id), user)

    def do_list(self, user, options):
        cases = selectors.case_list(user=user, overdue=options["overdue"])
        return [
            {
                "id": c.pk,
                "status": c.status,
                "subject_type": c.subject_type,
                "subject": selectors.subject_name(c),
                "reason": c.reason,
                "event_date": c.event_date,
            }
            for c in cases
        ]

    def do_show(self, user, options):
        return self._case(user, options["case_id"])

    def do_create(self, user, options):
        payee = None
        if options["bank_account"] or options["payee_name"]:
            payee = {
                "name": options["payee_name"],
                "bank_account": options["bank_account"],
                "bank_name": options["bank_name"],
            }
        case = services.case_create(
            actor=user,
            subject_type=options["subject"],
            subject_id=options["subject_id"],
            reason=options["reason"],
            event_date=options["event_date"],
            payee=payee,
            heirs=[_heir(h) for h in options["heir"]] or None,
            destination_region=options["destination_region"],
            successor_unit_id=options["successor_unit_id"],
            acknowledged=options["acknowledged"],
        )
        return self._case(user, case.pk)

    def do_material(self, user, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        material = services.material_add(
            actor=user,
            case_id=options["case_id"],
            kind=options["kind"],
            file_name=path.name,
            data=path.read_bytes(),
        )
        return {
            "id": material.pk,
            "case_id": material.case_id,
            "kind": material.kind,
            "round": material.round,
            "original_name": material.original_name,
            "size": material.size,
            "sha256": material.sha256,
        }

    def do_verify_material(self, user, options):
        services.material_verify(
            actor=user, case_id=options["case_id"], kind=options["kind"], note=options["note"]
        )
        return self._case(user, options["case_id"])

    def _step(self, user, options, function, **extra):
        function(actor=user, case_id=options["case_id"], **extra)
        return self._case(user, options["case_id"])

    def do_submit(self, user, options):
        return self._step(user, options, services.case_submit)

    def do_accept(self, user, options):
        return self._step(
            user,
            options,
            services.case_accept,
            acknowledge_warnings=options["acknowledge_warning"],
        )

    def do_acknowledge(self, user, options):
        return self._step(user, options, services.case_acknowledge)

    def do_liquidate(self, user, options):
        return self._step(user, options, services.case_liquidate)

    def do_close(self, user, options):
        return self._step(user, options, services.case_close)

    def do_return(self, user, options):
        return self._step(
            user,
            options,
            services.case_return,
            reasons=options["reasons"],
            supplement=options["supplement"],
        )

    def do_approve(self, user, options):
        return self._step(
            user,
            options,
            services.case_approve,
            reasons=options["reasons"],
            acknowledge_warnings=options["acknowledge_warning"],
        )

    def do_reject(self, user, options):
        return self._step(user, options, services.case_reject, reasons=options["reasons"])

    def do_disburse(self, user, options):
        return self._step(
            user, options, services.case_disburse, idempotency_key=options["idempotency_key"]
        )

    def _order(self, order):
        order.refresh_from_db()
        return _order_data(order)

    def do_order_approve(self, user, options):
        return self._order(services.order_approve(actor=user, order_id=options["order_id"]))

    def do_order_paid(self, user, options):
        paid_on = _date(options["paid_on"]) if options["paid_on"] else None
        return self._order(
            services.order_mark_paid(
                actor=user,
                order_id=options["order_id"],
                paid_on=paid_on,
                bank_reference=options["reference"],
            )
        )

    def do_order_failed(self, user, options):
        return self._order(
            services.order_mark_failed(
                actor=user,
                order_id=options["order_id"],
                reason=options["reason"],
                bank_return_reference=options["bank_return_reference"],
            )
        )

    def do_order_reissue(self, user, options):
        return self._order(
            services.order_reissue(
                actor=user,
                order_id=options["order_id"],
                bank_account=options["bank_account"],
                bank_name=options["bank_name"],
                payee_name=options["payee_name"],
            )
        )

    def do_payment_file(self, user, options):
        batch = services.payment_file_create(actor=user)
        Path(options["output"]).write_bytes(
            payment_file.batch_csv(PaymentBatch.objects.get(pk=batch.pk))
        )
        return {"batch": batch.pk, "orders": batch.order_count, "total": str(batch.total)}

    def do_statement_pdf(self, user, options):
        case = selectors.case_get(user=user, case_id=options["case_id"])
        if selectors.latest_statement(case) is None:
            raise CommandError("the case is not liquidated yet")
        if selectors.current_statement(case) is None:
            raise CommandError("the payees changed after the liquidation: liquidate it again")
        Path(options["output"]).write_bytes(clearance_pdfs.statement_pdf(case))
        return {"written": options["output"]}

    def do_certificate_pdf(self, user, options):
        case = selectors.case_get(user=user, case_id=options["case_id"])
        if case.certificate is None:
            raise CommandError("the case is not closed yet: no certificate")
        url = options["base_url"].rstrip("/") + verify_path(case.certificate.verification_code)
        Path(options["output"]).write_bytes(clearance_pdfs.certificate_pdf(case, verify_url=url))
        return {"written": options["output"], "verify_url": url}
