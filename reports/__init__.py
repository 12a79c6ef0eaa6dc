"""The patient handout."""
