"""Privacy: the retention schedule and erasure, legal holds, the privacy notice, and what the
resident's own rights (see, correct, delete, download) do to her data."""
