"""Pure-Python domain: types, reasoning splitting, prompts, hashing. No Qt, no SQLAlchemy."""
