"""Materials for a workshop room, generated from the course's sources.

``python -m fedlearn_kit.materials`` writes everything under ``docs/`` (agendas and
facilitator notes in docs/workshop.md, the printable card deck, answer key, projector views,
offline lesson exports, certificate, handout and feedback form under docs/materials/) and
rewrites the "**Time:**" line of every lesson from ``lesson_times.yaml``;
``python -m fedlearn_kit.materials --check`` lists what is out of date and exits 1 if
anything is. Nothing here is imported by the lessons: it is a tool for course authors and
facilitators, built on the course's data (cards, notes, times, stored notebooks).
"""
