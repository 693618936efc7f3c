"""Public pages. Issue 4 grows the landing page, the API guide and the app shell."""

from django.shortcuts import render

from organisations.plans import PLANS


def landing(request):
    return render(request, "landing.html", {"plans": PLANS.values()})
