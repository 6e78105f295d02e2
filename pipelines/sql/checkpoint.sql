-- The copy written whole to its file before it is closed, synced and published.
CHECKPOINT
