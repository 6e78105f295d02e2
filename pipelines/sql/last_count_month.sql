-- The last month of daily_counts (stock changes included): the last month monthly_counts runs to.
SELECT date_trunc('month', MAX(day))::DATE FROM main.daily_counts
