"""The reply thread between HR and the reporter, and status menus with only legal moves (issue 14
point 9): through the ticket page and the anonymous reporter's private follow link."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hr.models import Complaint, ComplaintReply
from organisations.models import AuditEvent
from tests.hr.factories import ComplaintFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def browser(membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


def report_anonymously(client) -> tuple[Complaint, str]:
    done = client.post(
        "/app/hr/report",
        {"subject": "Pay gap", "category": "pay", "priority": "normal", "description": "Look.", "anonymous": "on"},
    )
    return Complaint.objects.get(), done.context["follow_url"].split("testserver", 1)[-1]


def test_hr_and_a_named_reporter_talk_on_the_ticket_page(cast):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee)
    hr, reporter = browser(cast.hr), browser(cast.employee)

    asked = hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": "When did it happen?"})
    answered = reporter.post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": f"Monday {XSS}"})

    assert asked.status_code == answered.status_code == 302
    replies = list(ComplaintReply.objects.order_by("pk").values_list("from_hr", "author", "body"))
    assert replies == [(True, cast.hr.pk, "When did it happen?"), (False, cast.employee.pk, f"Monday {XSS}")]
    page = reporter.get(f"/app/hr/tickets/{ticket.pk}").content.decode()
    assert "When did it happen?" in page and XSS not in page and "&lt;script&gt;" in page
    hr_page = hr.get(f"/app/hr/tickets/{ticket.pk}").content.decode()
    assert "Monday" in hr_page and XSS not in hr_page
    assert AuditEvent.objects.filter(action="complaint.reply").count() == 2
    assert "When did it happen?" not in str(list(AuditEvent.objects.values("changes")))


def test_people_outside_the_ticket_cannot_reply(cast, other_organisation):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee)
    stranger = MembershipFactory(organisation=other_organisation)

    for who in (cast.owner, cast.manager, cast.colleague, stranger):
        response = browser(who).post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": "hi"})
        assert response.status_code == 404, who
    assert not ComplaintReply.objects.exists()


def test_the_anonymous_reporter_replies_through_the_private_link_and_stays_anonymous(cast):
    employee = browser(cast.employee)
    ticket, link = report_anonymously(employee)
    hr = browser(cast.hr)

    hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": "Which team?"})
    follow = employee.get(link).content.decode()
    replied = employee.post(link, {"body": "Sales."})

    assert "Which team?" in follow
    assert replied.status_code == 302
    reply = ComplaintReply.objects.get(from_hr=False)
    assert (reply.author, reply.body) == (None, "Sales.")
    hr_page = hr.get(f"/app/hr/tickets/{ticket.pk}").content.decode()
    assert "Anonymous reporter" in hr_page and "Sales." in hr_page
    assert cast.employee.user.get_full_name() not in hr_page.split('id="replies"', 1)[1]
    assert not AuditEvent.objects.filter(actor_user=cast.employee.user, action="complaint.reply").exists()
    # the ticket page itself is not the anonymous reporter's way in
    assert employee.post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": "x"}).status_code == 404
    assert employee.post("/app/hr/follow/" + "x" * 30, {"body": "x"}).status_code == 404


def test_a_closed_ticket_takes_no_reply_and_the_refusal_is_on_the_form(cast):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee, status="closed")

    response = browser(cast.employee).post(f"/app/hr/tickets/{ticket.pk}", {"action": "reply", "body": "Hello?"})

    assert response.status_code == 422
    assert "This ticket is closed; it takes no more replies." in response.content.decode()
    assert not ComplaintReply.objects.exists()


def test_the_status_menu_offers_only_legal_moves(cast):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee, status="in_progress")
    hr = browser(cast.hr)

    page = hr.get(f"/app/hr/tickets/{ticket.pk}")
    form = page.context["transition_form"]
    forged = hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "transition", "status": "open"})
    unresolved = hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "transition", "status": "resolved"})

    assert [value for value, _label in form.fields["status"].choices] == ["waiting", "resolved"]
    assert 'value="open"' not in page.content.decode().split('value="transition"', 1)[1].split("</form>", 1)[0]
    assert forged.status_code == 422
    assert unresolved.status_code == 422 and "Say how the ticket was resolved." in unresolved.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_dashboard_counts_show_labels_not_codes(cast):
    ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee, status="in_progress")

    page = browser(cast.hr).get("/app/hr/").content.decode()

    assert "In progress" in page
    assert ">in_progress<" not in page


def test_the_follow_page_keeps_its_link_on_the_site_yet_lets_its_form_post(cast):
    _ticket, link = report_anonymously(browser(cast.employee))

    response = browser(cast.employee).get(link)

    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"  # "no-referrer" made the browser send Origin: null


def test_the_admin_lists_replies_only_to_hr_of_their_organisation(client, cast):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee)
    ComplaintReply.objects.create(organisation=ticket.organisation, complaint=ticket, from_hr=True, body="Secret")
    root = get_user_model().objects.create_superuser("root@example.test", "pw-123456789")
    client.force_login(root)

    outsider = client.get("/admin/hr/complaintreply/")
    MembershipFactory(organisation=cast.office.organisation, user=root, role="hr")
    insider = client.get("/admin/hr/complaintreply/")

    assert outsider.status_code == insider.status_code == 200
    assert f"Reply on HR-{ticket.pk}" not in outsider.content.decode()
    assert f"Reply on HR-{ticket.pk}" in insider.content.decode()
