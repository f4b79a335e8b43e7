"""The details popup's figures for recognitions: completers, approaching, certificates issued."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.functions import Count

from service.certificates.candidates import SQL_CONDITION
from service.certificates.models import CURRENT, Certificate
from service.certificates.rules import CandidateKind
from service.enrollments.models import Enrollment
from service.recognitions import dashboard


@dataclass(frozen=True, slots=True)
class RecognitionCounts:
    completers: int
    approaching: int
    certificates_issued: int


async def counts_by_recognition_ids(*, ids: Iterable[int]) -> dict[int, RecognitionCounts]:
    """Each recognition's counts, in four queries however many recognitions (the caller has already
    checked it may see them). Certificates issued: the current ones (valid or provisional)."""
    cohorts = await dashboard.cohort_ids_by_recognition_ids(ids=ids)
    every_cohort = sorted({cohort_id for cohort_ids in cohorts.values() for cohort_id in cohort_ids})
    per_cohort = {
        kind: {
            row["cohort_id"]: row["count"]
            for row in await Enrollment.filter(SQL_CONDITION[kind], cohort_id__in=every_cohort)
            .annotate(count=Count("id"))
            .group_by("cohort_id")
            .values("cohort_id", "count")
        }
        for kind in CandidateKind
    }
    issued = {
        row["recognition_id"]: row["count"]
        for row in await Certificate.filter(recognition_id__in=list(cohorts), status__in=CURRENT)
        .annotate(count=Count("id"))
        .group_by("recognition_id")
        .values("recognition_id", "count")
    }
    return {
        recognition_id: RecognitionCounts(
            completers=sum(per_cohort[CandidateKind.COMPLETER].get(key, 0) for key in cohort_ids),
            approaching=sum(per_cohort[CandidateKind.APPROACHING].get(key, 0) for key in cohort_ids),
            certificates_issued=issued.get(recognition_id, 0),
        )
        for recognition_id, cohort_ids in cohorts.items()
    }
