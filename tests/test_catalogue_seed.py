"""Categories and demo offers: idempotent, realistic, with the bookable core of the Contract."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Category, Closure, Resource
from app.seed import catalogue as seed


def test_ensure_categories_is_idempotent_and_keeps_edits(app_ctx):
    first = seed.ensure_categories()
    assert [c.slug for c in first] == list(seed.CATEGORIES)
    for category in first:
        assert category.name_de and category.name_en and category.label_de and category.label_en
    first[0].name_de = "Werkzeuge & Maschinen"  # edited by the office
    db.session.flush()
    second = seed.ensure_categories()
    assert [c.id for c in second] == [c.id for c in first]
    assert second[0].name_de == "Werkzeuge & Maschinen"
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == len(seed.CATEGORIES)


def test_demo_offers_and_the_bookable_core(app_ctx):
    from app.seed import people

    people.run()
    lines = seed.run()
    assert any("created" in line for line in lines)
    titles = {offer.title for offer in seed.offers()}
    resources = list(db.session.scalars(sa.select(Resource).where(Resource.title.in_(titles))))
    kinds = [r.kind for r in resources]
    assert kinds.count("item") >= 30 and kinds.count("room") >= 6 and kinds.count("space") >= 5
    assert len({(r.owner_user_id, r.owner_org_id) for r in resources}) >= 8  # many lenders
    assert len({r.owner_org_id for r in resources if r.owner_org_id}) >= 5
    assert any(r.visibility == "members" for r in resources)
    assert any(r.requires_approval for r in resources)
    assert any(r.units > 1 for r in resources)

    # Every offer has a drawn picture on disk and is findable by its words.
    folder = Path(app_ctx.config["UPLOAD_FOLDER"]) / "photos"
    for resource in resources:
        [photo] = resource.photos
        assert photo.alt_text
        assert (folder / f"{photo.stem}-480.{photo.ext}").is_file()
        assert resource.search_text

    # The bookable core: public, one unit, no approval, Mon-Sat 09-18, bookable soon and far.
    closed = set(db.session.scalars(sa.select(Closure.resource_id)))
    week = [(day, time(9), time(18)) for day in range(6)]

    def bookable(r: Resource) -> bool:
        return (
            r.visibility == "public"
            and r.status == "active"
            and r.hidden_at is None
            and r.units == 1
            and not r.requires_approval
            and sorted((h.weekday, h.opens, h.closes) for h in r.opening_hours) == week
            and r.own_hours
            and r.min_lead_minutes <= 24 * 60
            and r.max_advance_days >= 60
            and r.id not in closed
        )

    core = [r for r in resources if bookable(r)]
    assert sum(r.kind == "item" for r in core) >= 5
    assert sum(r.kind == "room" for r in core) >= 3

    # Running again changes nothing.
    count = db.session.scalar(sa.select(sa.func.count(Resource.id)))
    assert "catalogue: demo offers exist already" in seed.run()
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == count


def test_the_illustration_is_a_picture(app_ctx):
    import io

    from PIL import Image

    data = seed.illustration("Lastenrad „Werra-Esel“", "item", "#2a6f97")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1280, 960)
