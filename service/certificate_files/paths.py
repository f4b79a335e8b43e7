"""Where combined files and their parts live under the files folder."""

from __future__ import annotations

from pathlib import Path

from service.certificate_files.models import CertificateFileJob

FILES_FOLDER = "certificate-files"


def file_path(files_dir: Path, job: CertificateFileJob) -> Path:
    return files_dir / FILES_FOLDER / (job.file_name or f"job-{job.id}.pdf")


def file_name(job: CertificateFileJob) -> str:
    """The name a finished job's file gets."""
    return f"certificates-{job.recognition_id}-{job.id}.pdf"


def parts_dir(files_dir: Path, job_id: int) -> Path:
    return files_dir / FILES_FOLDER / f"job-{job_id}-parts"


def part_path(files_dir: Path, job_id: int, index: int) -> Path:
    return parts_dir(files_dir, job_id) / f"part-{index:05d}.pdf"
