-- What the warehouse remembers under $name (warehouse_meta): the key's fingerprint, the facts' rules.
SELECT value FROM main.warehouse_meta WHERE name = $name
