"""The archiving worker: backfill, media download, live follow, reconciliation."""
