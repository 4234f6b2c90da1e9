"""Case work: triage, workflow, assignment, deadlines and history."""
