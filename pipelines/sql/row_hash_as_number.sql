-- An older warehouse's row hashes (the hex MD5 of the content) converted to the number the ingest now
-- computes for the same content (schemas.records.row_hash_sql: the low 64 bits of md5_number, which reads
-- the digest's 16 bytes little-endian), so a re-loaded unchanged row stays unchanged.
ALTER TABLE main.${table} ALTER row_hash TYPE UBIGINT USING
    (('0x' || substr(row_hash, 31, 2) || substr(row_hash, 29, 2) || substr(row_hash, 27, 2) || substr(row_hash, 25, 2)
      || substr(row_hash, 23, 2) || substr(row_hash, 21, 2) || substr(row_hash, 19, 2) || substr(row_hash, 17, 2)
      || substr(row_hash, 15, 2) || substr(row_hash, 13, 2) || substr(row_hash, 11, 2) || substr(row_hash, 9, 2)
      || substr(row_hash, 7, 2) || substr(row_hash, 5, 2) || substr(row_hash, 3, 2) || substr(row_hash, 1, 2)
     )::UHUGEINT & 18446744073709551615::UHUGEINT)::UBIGINT
