"""Pages of payroll, by sub-domain: the commissions pages for owners, admins and managers
(``ledger.py``), the producer portal (``portal.py``) and statement imports (``imports.py``).
URLs: ``payroll/urls.py`` (namespace ``commissions``) and ``payroll/import_urls.py``
(namespace ``imports``)."""
