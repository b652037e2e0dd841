"""Calendars and iCalendar feeds (placeholder)."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
