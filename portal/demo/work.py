"""Filing and working one planned demo history case through the real operations."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import User
from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.operations import add_note, send_message
from portal.cases.publishing.models import PublicationState
from portal.cases.publishing.operations import (
    approve_publication,
    list_case_evidence,
    publish_case,
)
from portal.cases.publishing.redaction import approve_unredacted
from portal.cases.publishing.rules import may_publish_evidence
from portal.cases.referrals.operations import record_referral_outcome, refer_case
from portal.cases.workflow import change_status
from portal.db import db
from portal.demo.shared import LINKS, Plan, screenshot
from portal.demo.texts import CATEGORIES, DECISIONS, FOLLOW_UP, PUBLIC_SUMMARIES, REJECTIONS
from portal.intake.drafts import ReportDraft
from portal.intake.models import Report
from portal.intake.operations import submit_report
from portal.reference.models import Category, Region

ANSWERS = {
    "fasilitas-negara": {"facility": "Kendaraan dinas"},
    "politik-uang": {"given": "Uang tunai dan sembako"},
}
REFERRAL_ANSWERS = {
    "yes": "Sanksi dijatuhkan kepada terlapor.",
    "no": "Tidak ditemukan dasar untuk menjatuhkan sanksi.",
    "unknown": "Jawaban diterima; keputusan sanksi belum disampaikan.",
}


def _lookup(model: Any, code: str) -> Any:
    return db.session.scalar(sa.select(model).where(model.code == code))


def file_case(plan: Plan) -> tuple[Case, list[Report]]:
    """File the plan's reports (the first opens the case, the others join it by their link)."""
    category, region = _lookup(Category, plan.code), _lookup(Region, plan.region)
    _weight, kind, _parties, texts = CATEGORIES[plan.code]
    social = kind in ("instagram", "facebook") and category.questions
    answers = {"platform": kind} if social else dict(ANSWERS.get(plan.code, {}))
    filed = []
    for j in range(plan.reports):
        email = f"warga.h{plan.n}.{j}@demo.test" if j in plan.emails else None
        # A few published cases carry a small screenshot, to show public thumbnails.
        has_screenshot = plan.publish and j == 0 and plan.n % 3 == 0
        draft = ReportDraft(
            category=category,
            region=region,
            reported_party=plan.party,
            description=texts[(plan.n + j) % len(texts)].format(party=plan.party),
            language="id",
            answers=answers,
            links=(LINKS[kind].format(n=plan.n),),
            screenshots=(
                ((f"bukti-{plan.n}.png", screenshot(plan.party[:30], plan.n)),)
                if has_screenshot
                else ()
            ),
            learned_on=plan.created.date() - timedelta(days=plan.n % 3),
            visibility="confidential" if email else "anonymous",
            contact_name="Warga Demo" if email else None,
            contact_email=email,
            idempotency_key=f"demo-h-{plan.n}-{j}",
        )
        filed.append(submit_report(draft, source="web"))
    return filed[-1].case, [submitted.report for submitted in filed]


def _assign(case: Case, officer: User, actor: User) -> None:
    """Assign like assign_case does, without emailing the officer about long-past work."""
    case.assignee_id = officer.id
    db.session.flush()
    record_event(
        case,
        "assigned",
        actor=actor,
        data={"before": None, "after": officer.id, "assignee": officer.email},
    )
    change_status(case=case, to="triaged", actor=actor)
    change_status(case=case, to="assigned", actor=actor)


def work_case(
    case: Case, plan: Plan, *, actor: User, officer: User, approver: User, reports: list[Report]
) -> None:
    """Move the case to the plan's status, with referral and publication where planned."""
    if plan.status == "rejected":
        change_status(
            case=case,
            to="rejected",
            actor=actor,
            reason=plan.reason,
            reason_text=REJECTIONS[plan.reason or "out_of_scope"],
        )
        return
    if plan.status != "new":
        if plan.status == "triaged":
            change_status(case=case, to="triaged", actor=actor)
            return
        _assign(case, officer, actor)
    if plan.status in ("new", "assigned"):
        return
    change_status(case=case, to="investigating", actor=officer)
    if plan.status == "waiting_for_reporter" or (plan.outcome and plan.n % 4 == 0):
        send_message(
            case=case,
            report=reports[0],
            author=officer,
            wait_for_reply=True,
            body="Terima kasih atas laporan Anda. Mohon kirimkan tanggal dan lokasi "
            "kejadian jika Anda mengetahuinya.",
        )
        if plan.outcome:
            change_status(case=case, to="investigating", actor=officer)
    if plan.outcome:
        add_note(case=case, author=officer, body="Klarifikasi terlapor dan saksi selesai.")
        change_status(
            case=case,
            to="resolved",
            actor=officer,
            outcome=plan.outcome,
            summary=DECISIONS[plan.outcome],
        )
        if plan.referral:
            _refer(case, plan, officer)
        if plan.status == "closed":
            change_status(case=case, to="closed", actor=actor)
    if plan.publish:
        _publish(case, plan, officer, approver)


def _refer(case: Case, plan: Plan, officer: User) -> None:
    spec = plan.referral
    assert spec is not None  # only plans with a referral come here
    referral = refer_case(
        case=case,
        body=spec["body"],
        referred_on=spec["on"],
        reference_number=f"{plan.n + 1:03d}/DEMO/{spec['on'].year}",
        due_on=spec["on"] + timedelta(days=30),
        actor=officer,
    )
    if spec["answered"]:
        record_referral_outcome(
            referral=referral,
            outcome=REFERRAL_ANSWERS[spec["sanction"]],
            sanction_applied=spec["sanction"],
            sanction=spec["text"],
            answered_on=spec["answered"],
            actor=officer,
        )


def _publish(case: Case, plan: Plan, officer: User, approver: User) -> None:
    body = (plan.referral or {}).get("body")
    summary = PUBLIC_SUMMARIES[plan.outcome or "open"].format(
        party=plan.party, follow=FOLLOW_UP.get(body, FOLLOW_UP[None])
    )
    for evidence in list_case_evidence(case):  # demo screenshots name no resident
        if not may_publish_evidence(evidence):
            approve_unredacted(case=case, evidence=evidence, actor=officer)
    publication = publish_case(
        case=case,
        actor=officer,
        summary=summary.strip(),
        reported_party_public=plan.party,
        publishable_evidence_ids=[e.id for e in list_case_evidence(case)],
    )
    if publication.state == PublicationState.PENDING:
        approve_publication(case=case, actor=approver)
