from __future__ import annotations

import datetime

import strawberry
from strawberry import relay

from service.graphql.cohorts.dataloaders import CohortByIdLoader
from service.graphql.cohorts.types import Cohort
from service.graphql.core.context import Info
from service.graphql.core.enums import described_enum
from service.graphql.core.node import LoadedNode
from service.graphql.lms.dataloaders import ProgressSyncRunByIdLoader
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User
from service.lms.models import ProgressSyncRun as RunModel
from service.lms.models import SyncStatus, SyncTrigger

ProgressSyncStatus = described_enum(
    SyncStatus,
    name="ProgressSyncStatus",
    description="Where a run stands: QUEUED, RUNNING, then one of the four ends.",
    meanings={
        SyncStatus.QUEUED: "Waiting for a worker to take it up.",
        SyncStatus.RUNNING: "A worker is reading Canvas (or stopped doing so: the run is taken up again once "
        "its 10-minute lease lapses).",
        SyncStatus.SUCCEEDED: "Finished: every course was read.",
        SyncStatus.PARTLY_FAILED: "Finished: some courses could not be read (`errors`), the others were.",
        SyncStatus.FAILED: "Finished: no course could be read (`errors`), so no progress was updated.",
        SyncStatus.NO_COURSES: "Finished with no course to read (no open cohort with an LMS course id at a "
        "partner with Canvas), so no progress was updated.",
    },
)
ProgressSyncTrigger = described_enum(
    SyncTrigger,
    name="ProgressSyncTrigger",
    description="What started a run.",
    meanings={
        SyncTrigger.SCHEDULE: "The daily run, queued once the hour PORTAL_PROGRESS_SYNC_HOUR (UTC) has come.",
        SyncTrigger.STAFF: "A staff member, with `progressSyncStart` (`requestedBy`).",
        SyncTrigger.COMMAND: "`portal sync-progress`, run at the command line.",
    },
)


@strawberry.type(description="A course that could not be read, and why.")
class ProgressSyncError:
    course_id: str = strawberry.field(description="The cohort's LMS course id.")
    message: str = strawberry.field(
        description="Why, in English for staff: Canvas's reason (e.g. the token refused), or an unexpected "
        "error's kind, the log having the details."
    )
    cohort_key: strawberry.Private[int]

    @strawberry.field(description="The cohort whose course it is; null if that cohort no longer exists.")
    async def cohort(self, info: Info) -> Cohort | None:
        cohort = await CohortByIdLoader.for_context(info.context).load(self.cohort_key)
        return None if cohort is None else Cohort.from_model(cohort)


@strawberry.type(
    description="Something a run changed in what it read, or could not read: a name changed in Canvas, "
    "bidi controls removed from a name, a blank name, a student who matched no course-taker."
)
class ProgressSyncWarning:
    course_id: str = strawberry.field(description="The cohort's LMS course id.")
    lms_user_id: str | None = strawberry.field(
        description="The Canvas user it is about; null for one about the course as a whole, or one saying "
        "how many more."
    )
    message: str = strawberry.field(
        description="What happened, and what to do if anything, in English for staff: it names Canvas users "
        "by id, never a person's name."
    )


@strawberry.type(
    description="One reading of course progress from Canvas (staff only). Its counts, errors and warnings "
    "are recorded when it finishes: until then they are 0 and empty."
)
class ProgressSyncRun(LoadedNode):
    loader = ProgressSyncRunByIdLoader

    id: relay.NodeID[int]
    model: strawberry.Private[RunModel]

    @strawberry.field(description="Where it stands; see ProgressSyncStatus.")
    def status(self) -> ProgressSyncStatus:  # type: ignore[valid-type]
        return self.model.status

    @strawberry.field(description="What started it.")
    def trigger(self) -> ProgressSyncTrigger:  # type: ignore[valid-type]
        return self.model.trigger

    @strawberry.field(description="The partner read; null when every partner with Canvas was.")
    async def partner(self, info: Info) -> Partner | None:
        if self.model.partner_id is None:
            return None
        partner = await PartnerByIdLoader.for_context(info.context).load(self.model.partner_id)
        return None if partner is None else Partner.from_model(partner)

    @strawberry.field(description="The staff member who started it; null unless the trigger is STAFF.")
    async def requested_by(self, info: Info) -> User | None:
        if self.model.requested_by_id is None:
            return None
        user = await UserByIdLoader.for_context(info.context).load(self.model.requested_by_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(description="When it was asked for, in UTC.")
    def created_at(self) -> datetime.datetime:
        return self.model.created_at

    @strawberry.field(
        description="When a worker took it up, in UTC (taken up again after its worker stopped: the last "
        "time); null while QUEUED."
    )
    def started_at(self) -> datetime.datetime | None:
        return self.model.started_at

    @strawberry.field(description="When it finished, in UTC; null while QUEUED or RUNNING.")
    def finished_at(self) -> datetime.datetime | None:
        return self.model.finished_at

    @strawberry.field(description="Courses read (or tried).")
    def courses(self) -> int:
        return self.model.courses

    @strawberry.field(
        description="Courses that could not be read, each in `errors`; nothing of them was written."
    )
    def courses_failed(self) -> int:
        return self.model.courses_failed

    @strawberry.field(description="Enrolments Canvas reported progress for.")
    def enrollments_seen(self) -> int:
        return self.model.enrollments_seen

    @strawberry.field(description="Enrolments whose progress, completion or certification changed.")
    def enrollments_changed(self) -> int:
        return self.model.enrollments_changed

    @strawberry.field(description="Enrolments new to us (their course-takers too, when new).")
    def enrollments_created(self) -> int:
        return self.model.enrollments_created

    @strawberry.field(
        description="Course-takers whose name changed to the one Canvas has now (each once, however many "
        "courses they are in); the warnings name their Canvas users."
    )
    def names_changed(self) -> int:
        return self.model.names_changed

    @strawberry.field(description="Each course that could not be read, and why, in the order read.")
    def errors(self) -> list[ProgressSyncError]:
        return [
            ProgressSyncError(
                course_id=error["courseId"], message=error["message"], cohort_key=error["cohortId"]
            )
            for error in self.model.errors
        ]

    @strawberry.field(
        description="What to look at in what it read, course by course in the order read: of one kind, up "
        "to 20 per course (every rename that needs a re-issue), then one saying how many more."
    )
    def warnings(self) -> list[ProgressSyncWarning]:
        return [
            ProgressSyncWarning(
                course_id=warning["courseId"], lms_user_id=warning.get("userId"), message=warning["message"]
            )
            for warning in self.model.warnings
        ]

    @classmethod
    def from_model(cls, model: RunModel) -> ProgressSyncRun:
        return cls(id=model.id, model=model)
