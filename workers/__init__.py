"""Dramatiq: the broker and its queues (broker.py), each job's log line and metrics (middleware.py),
thin actors, ids in and one domain call (jobs.py), the API process's own worker and sweep
(embedded.py), and the event loop each worker thread keeps (runtime.py)."""
