"""Statement imports made the way the product makes them: through the services (upload, then
the processing task's body), so a batch always has real rows, counts and fingerprints."""

from __future__ import annotations

import io

from organisations.actors import system_actor
from payroll import services as import_services
from payroll.models import ImportBatch
from tests.organisations.factories import ProducerFactory, WorkspaceFactory
from tests.payroll.factories import CarrierFactory

STATEMENT = (
    "Policy Number,Producer Code,Premium,Commission,Date\n"
    "{prefix}-1,{code},1000.00,100.00,2026-01-15\n"
    "{prefix}-2,UNKNOWN,500.00,50.00,2026-01-16\n"
)


class _Upload(io.BytesIO):
    def __init__(self, text: str, name: str):
        super().__init__(text.encode())
        self.name = name
        self.size = len(text.encode())

    def chunks(self):
        self.seek(0)
        yield self.read()


def make_import(organisation, *, n: int = 0, text: str | None = None, carrier=None, producer=None) -> ImportBatch:
    """A processed batch in review: one matched row and one unmatched row (line 3)."""
    carrier = carrier or CarrierFactory(organisation=organisation, name=f"Carrier {n:03d}", code=f"IMP{n:04d}")
    if producer is None:
        producer = ProducerFactory(
            workspace=WorkspaceFactory(office__organisation=organisation), producer_code=f"P{n:04d}-{carrier.pk}"
        )
    text = text or STATEMENT.format(prefix=f"POL{n:03d}", code=producer.producer_code)
    batch = import_services.import_batch_create(
        actor=system_actor(organisation), upload=_Upload(text, f"statement-{n:03d}.csv"), carrier=carrier
    )
    import_services.import_batch_process(batch_id=batch.pk, organisation_id=organisation.pk)
    batch.refresh_from_db()
    return batch
