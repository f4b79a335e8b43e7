from __future__ import annotations

from typing import TYPE_CHECKING

from service.graphql.dataloader import ScopedLoader
from service.users.models import User
from service.users.services import users_by_ids

if TYPE_CHECKING:
    from service.graphql.context import Context


class UserByIdLoader(ScopedLoader[int, User]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: users_by_ids(actor=actor, ids=ids))
