"""Combined certificate files: many certificates in one PDF, made in the background in chunks.

requests.py  asking for a file (a job, cut into chunks, handed to the queue)
build.py     the worker protocol: parts made, joined, a job finished or failed (and its mails)
leases.py    who holds which chunk or join, and handing stalled jobs over again
paths.py     where files and parts live
reads.py     jobs for the API; watching.py: one shared read for a job's live subscribers
"""
