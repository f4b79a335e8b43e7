"""Course-takers' names as Canvas gives them. Canvas is where a name is corrected, so every read of a
course stores the name Canvas has now for each of its students, new or known (a course-taker belongs
to one partner and is linked to one user of that partner's Canvas, so there is only one source for
it), and the run says what that did: a name changed, and how many certificates issued before still
print the old one (they keep what they printed: a re-issue prints the new name); bidi controls
removed; a blank name.

A blank name is never replaced by anything else (an email would be printed as the person's name):
a new course-taker is stored without a name, which issuing refuses (``NAME_NOT_PRINTABLE``) until
Canvas gives one; a name known here is kept. The log names the enrolment, never the person."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from service.certificates.models import CURRENT, Certificate
from service.enrollments.models import CourseTaker, Enrollment
from service.enrollments.rules import name_search_key, name_sort_key
from service.lms.canvas import CanvasStudent
from service.lms.rules import NAMED, named_warnings
from service.text import bidi_controls_in, named, without_bidi_controls

NAME_LENGTH = 300
NAME_FIELDS = ("name", "sort_name", "search_name")
STORED_BLANK = "stored without a name, so no certificate can be issued for them until Canvas has one"
KEPT = "the name known here is kept"

logger = logging.getLogger("service.lms")


@dataclass
class NameNews:
    """What reading one course did to names."""

    renamed: dict[str, CourseTaker] = field(default_factory=dict)  # by Canvas user id
    blank: list[str] = field(default_factory=list)  # Canvas users stored without a name
    blank_kept: list[str] = field(default_factory=list)  # blank in Canvas, the name known here kept
    warnings: list[dict[str, Any]] = field(default_factory=list)


def take_name(student: CanvasStudent, taker: CourseTaker | None, news: NameNews) -> str:
    """The name to store for ``student``: Canvas's, without bidi controls (they could spoof the order
    it reads in on the certificate, the dashboard or the verification page), or for a blank one the
    name ``taker`` (None: a new course-taker) has. Sets it on ``taker``, with its sort and search keys,
    and notes in ``news`` what changed."""
    name = " ".join(without_bidi_controls(student.name).split())[:NAME_LENGTH]
    known = None if taker is None else taker.name
    if not name:
        blank = news.blank_kept if known else news.blank
        if student.user_id not in blank:  # a student in two sections of the course is listed twice
            blank.append(student.user_id)
        name = known or ""
    elif name != known and (controls := bidi_controls_in(student.name)):
        news.warnings.append(
            {
                "userId": student.user_id,
                "message": f"Bidi control characters removed from the name of Canvas user {student.user_id}: "
                f"{named(controls)}.",
            }
        )
    if taker is not None and name != known:
        taker.name, taker.sort_name, taker.search_name = name, name_sort_key(name), name_search_key(name)
        news.renamed[student.user_id] = taker
    return name


async def report_names(news: NameNews, *, course_id: str, cohort_id: int) -> list[dict[str, Any]]:
    """The run's warnings on the course's names (after those on bidi controls), and the log's lines."""
    warnings = list(news.warnings)
    if news.renamed:
        printing_old = await _printing_old_names(news.renamed.values())
        # Each one whose certificates print the old name (they need a re-issue), the others up to NAMED.
        quiet = [user_id for user_id, taker in news.renamed.items() if not printing_old[taker.id]]
        shown = set(quiet[:NAMED])
        warnings += [
            {"userId": user_id, "message": _renamed(user_id, printing_old[taker.id])}
            for user_id, taker in news.renamed.items()
            if printing_old[taker.id] or user_id in shown
        ]
        if len(quiet) > NAMED:
            warnings.append(
                {"userId": None, "message": f"{len(quiet) - NAMED} more names changed in Canvas."}
            )
        logger.info(
            "course %s: took the names Canvas now has for Canvas users %s",
            course_id,
            _listed(list(news.renamed)),
        )
    for user_ids, consequence in ((news.blank, STORED_BLANK), (news.blank_kept, KEPT)):
        warnings += named_warnings(
            user_ids,
            "Canvas gives a blank name for Canvas user ",
            f": {consequence}.",
            f"more blank names in Canvas: {consequence}.",
        )
    if news.blank or news.blank_kept:
        await _log_blank(news, course_id=course_id, cohort_id=cohort_id)
    return warnings


def _renamed(user_id: str, printing_old: int) -> str:
    message = (
        f"The name of Canvas user {user_id} changed in Canvas; the portal now shows and prints the new one."
    )
    if printing_old == 1:
        return f"{message} 1 certificate issued before prints the old name: re-issue it to print the new one."
    if printing_old:
        return (
            f"{message} {printing_old} certificates issued before print the old name: re-issue them to print "
            "the new one."
        )
    return message


async def _printing_old_names(takers: Iterable[CourseTaker]) -> Counter[int]:
    """How many current certificates of each course-taker print another name than theirs now."""
    names = {taker.id: taker.name for taker in takers}
    rows = await Certificate.filter(
        status__in=CURRENT, enrollment__course_taker_id__in=list(names)
    ).values_list("enrollment__course_taker_id", "printed")
    return Counter(key for key, printed in rows if printed.get("recipient_name") != names[key])


async def _log_blank(news: NameNews, *, course_id: str, cohort_id: int) -> None:
    """A WARNING per blank name (up to ``NAMED``) naming the enrolment: the course and the Canvas user,
    and our enrolment's id (none when Canvas gave no progress for them)."""
    user_ids = (news.blank + news.blank_kept)[:NAMED]
    enrolments = dict(
        await Enrollment.filter(cohort_id=cohort_id, course_taker__lms_user_id__in=user_ids).values_list(
            "course_taker__lms_user_id", "id"
        )
    )
    for user_id in user_ids:
        logger.warning(
            "course %s: Canvas user %s (enrolment %s) has a blank name in Canvas; %s",
            course_id,
            user_id,
            enrolments.get(user_id, "none"),
            KEPT if user_id in news.blank_kept else "stored without a name",
        )
    if len(news.blank) + len(news.blank_kept) > NAMED:
        more = len(news.blank) + len(news.blank_kept) - NAMED
        logger.warning("course %s: %s more Canvas users have a blank name in Canvas", course_id, more)


def _listed(user_ids: list[str]) -> str:
    shown = ", ".join(user_ids[:NAMED])
    return shown if len(user_ids) <= NAMED else f"{shown} and {len(user_ids) - NAMED} more"
