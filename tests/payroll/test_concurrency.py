"""Row locks of the ledger on PostgreSQL: of many concurrent moves of one line, one wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from integrations.models import OutboxEvent
from payroll.models import CommissionOverride, CommissionTransaction

from .factories import CommissionTransactionFactory


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_transitions_of_one_line_succeed_once(organisation, make_api_client):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=organisation)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]

    def attempt(_):
        from rest_framework.test import APIClient

        try:
            response = APIClient().post(
                f"/v1/transactions/{txn.pk}/transition",
                {"status": "reconciled"},
                format="json",
                HTTP_AUTHORIZATION=auth,
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(attempt, range(10)))

    assert statuses == [200] + [409] * 9
    assert CommissionTransaction.objects.get(pk=txn.pk).status == "reconciled"
    assert OutboxEvent.objects.filter(topic="payroll.transaction.updated").count() == 1


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overrides_never_compound(organisation, make_api_client):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=organisation)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]

    def attempt(_):
        from rest_framework.test import APIClient

        try:
            return (
                APIClient()
                .post(
                    f"/v1/transactions/{txn.pk}/overrides",
                    {"kind": "split", "value": "50", "reason": "Race"},
                    format="json",
                    HTTP_AUTHORIZATION=auth,
                )
                .status_code
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(8)))

    assert statuses == [201] * 8
    assert CommissionOverride.objects.filter(transaction=txn).count() == 8
    assert str(CommissionTransaction.objects.get(pk=txn.pk).producer_amount) == "50.00"
