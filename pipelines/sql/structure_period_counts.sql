-- period_counts in each structure: the counts stored for that structure's communes (not placed record by
-- record), the structure named by its code.
CREATE OR REPLACE VIEW ${legacy}.period_counts AS
    SELECT * EXCLUDE (era) FROM main.period_counts WHERE era = 'legacy';
CREATE OR REPLACE VIEW ${current}.period_counts AS
    SELECT * EXCLUDE (era) FROM main.period_counts WHERE era = '2025'
