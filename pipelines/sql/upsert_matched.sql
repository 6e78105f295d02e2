-- Whether any staged row is a stored record (none: every row is inserted, no plan is needed).
SELECT count(*) FROM _match
