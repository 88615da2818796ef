"""The published catalogue as pure functions: activity pages, listings, activities.json, calendar.ics.

Nothing here knows about MkDocs: `catalog.plugin` feeds these functions a loaded `Catalog` and puts
what they return into the site, so every piece can be tested without a build.
"""
from .display import SiteSettings

__all__ = ["SiteSettings"]
