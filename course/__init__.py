"""Toolkit for the Elixir course: authoring, grading, performance gates and the `course` CLI."""
