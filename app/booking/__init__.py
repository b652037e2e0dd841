"""The booking domain: plain functions, no request objects; the acting user is an argument.

availability  when a resource is open, closed or busy (local hours -> aware UTC)
periods       ISO input in site-local time, whole days, slots, durations in words
rules         defaults per kind and the booking rules (Refused, Overbooked)
conflicts     the resource lock and the units held at every instant
suggestions   the next free periods that would fit
service       the reservation lifecycle and its state table
settings      opening hours, closures and rules set by lenders
search        restrict a resource query to a free window; today's hint per resource
"""
