"""The school as a whole: its list of schools, school-wide actions and lessons, and demo data."""
