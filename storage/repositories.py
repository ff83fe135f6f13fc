"""Former home of the repositories, kept so existing imports work; import from the new homes.

- ``storage.case_repository``: ``SqlCaseRepository``, ``REFERENCE_PREFIX``
- ``storage.role_repository``: ``SqlRoleRepository``, ``bootstrap_roles``
- ``storage.outbox_writer``: ``SqlOutbox`` (and ``insert_outbox_rows``, the one writer)
- ``storage.case_rows``: rows <-> the domain ``Case``
"""

from __future__ import annotations

from storage.case_repository import REFERENCE_PREFIX, SqlCaseRepository
from storage.outbox_writer import SqlOutbox
from storage.role_repository import SqlRoleRepository, bootstrap_roles

__all__ = ["REFERENCE_PREFIX", "SqlCaseRepository", "SqlOutbox", "SqlRoleRepository",
           "bootstrap_roles"]
