"""The Django project: a thin shell over the engines."""
