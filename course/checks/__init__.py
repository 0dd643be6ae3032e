"""Checks that a notebook's graded tests bite (reference full, stub zero, wrong answers lose points)."""
