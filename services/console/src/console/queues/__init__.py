"""Work queues per role (SPEC 0.3): what each office has to decide, overdue first, due
instants in Asia/Shanghai with the working days left (SPEC 0.1).

Each queue is read from the services' list endpoints with the user's token, so a queue
holds exactly what the user's role and scope may see; where a service has no list of the
thing itself yet, the closest list is walked (noted at each such queue). The queues are
declared per service area, beside their loaders."""

from __future__ import annotations

from console.api import ApiProblem
from console.queues import consent, fund, police, referral, settlement
from console.queues.base import Ctx, Queue, QueueResult, Row, by_due

__all__ = ["BY_KEY", "QUEUES", "Ctx", "Queue", "QueueResult", "Row", "queues_for", "run"]

QUEUES: tuple[Queue, ...] = (*consent.QUEUES, *referral.QUEUES, *police.QUEUES, *fund.QUEUES, *settlement.QUEUES)

BY_KEY = {q.key: q for q in QUEUES}


def queues_for(role: str) -> list[Queue]:
    return [q for q in QUEUES if role in q.roles]


async def run(queue: Queue, ctx: Ctx) -> QueueResult:
    try:
        rows = await queue.load(ctx)
    except ApiProblem as problem:
        if problem.status == 401:
            raise  # the session's token expired: sign in again
        return QueueResult(queue, [], problem)
    return QueueResult(queue, by_due(rows))
