-- The codes table filled with every vocabulary's codes and labels (the frame codes: vocabulary, code, label_vi).
INSERT INTO main.codes BY NAME SELECT * FROM codes_frame
