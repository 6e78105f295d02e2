-- The codes table filled with every published vocabulary (schemas.catalog.published_codes: vocabulary, code, label_vi).
INSERT INTO main.codes BY NAME SELECT * FROM codes_frame
