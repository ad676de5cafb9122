"""The provider desk: where the bodies responsible see, answer and resolve reports.

Every query takes a ``Scope`` (``geodata.accounts.scope``); every change goes through
``lifecycle.transition``, is written to the audit log and sends the aggregation after commit.
"""
