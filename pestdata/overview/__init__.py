"""The leadership's questions, answered in SQL where the data is."""
