"""The audit trail's step record and the workflow's refusal, shared by every audit service.

Below the workflow, the review, the draw and the bulk import: each of them records steps and
refuses what the workflow does not allow, without importing the workflow itself.
"""

from __future__ import annotations

from codingwatch.web.audits.models import Audit, AuditEvent, Finding


class WorkflowError(ValueError):
    """A step the workflow does not allow now, or not to this user; the message says why."""


def record_event(audit: Audit, user, action: str, *, finding: Finding | None = None, from_state: str = "",
                 to_state: str = "", comment: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        audit=audit, finding=finding, user=user, username=user.get_username(), role=user.role,
        action=action, from_state=from_state, to_state=to_state, comment=comment,
    )
