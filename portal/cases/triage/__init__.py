"""Priority, re-categorising and transferring a case to another team or agency."""
