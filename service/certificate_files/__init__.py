"""Combined certificate files: many certificates in one PDF, made in the background in chunks.

requests.py  asking for a file (a job, cut into chunks, handed to the queue)
build.py     the worker protocol: chunks handed out, a job finished or failed (and its mails)
parts.py     a chunk claimed, its certificates issued, its part drawn; then the chunks nobody took
joining.py   the parts joined into the file, READY
work.py      what the steps share: FileWork, the files folder's failures, the job's events
leases.py    who holds which chunk or join, and handing stalled jobs over again
paths.py     where files and parts live
reads.py     jobs for the API; watching.py: one shared read for a job's live subscribers
"""
