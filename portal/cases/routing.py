"""Routing: which team a new case lands in (category + region rules, else the category's team)."""

import logging

import sqlalchemy as sa

from portal.cases.models import RoutingRule
from portal.db import db
from portal.reference.models import Category

logger = logging.getLogger(__name__)


class RoutingConflict(Exception):
    """A rule for this category and region already exists."""


def route_team_id(*, category: Category, region_id: int | None) -> int | None:
    """The team of the most specific rule (region match over any-region), else the default."""
    region_match = RoutingRule.region_id == region_id if region_id else sa.false()
    rule = db.session.scalars(
        sa.select(RoutingRule)
        .where(
            RoutingRule.category_id == category.id,
            sa.or_(region_match, RoutingRule.region_id.is_(None)),
        )
        .order_by(RoutingRule.region_id.is_(None))  # False (region match) sorts first
        .limit(1)
    ).first()
    return rule.team_id if rule else category.default_team_id


def list_routing_rules() -> list[RoutingRule]:
    """Every rule, by category then region."""
    return list(
        db.session.scalars(
            sa.select(RoutingRule).order_by(RoutingRule.category_id, RoutingRule.region_id)
        )
    )


def save_routing_rule(
    *, rule: RoutingRule | None, category_id: int, region_id: int | None, team_id: int
) -> RoutingRule:
    """Create or update a rule; RoutingConflict when another rule has the same scope."""
    clash = db.session.scalar(
        sa.select(RoutingRule).where(
            RoutingRule.category_id == category_id,
            RoutingRule.region_id == region_id if region_id else RoutingRule.region_id.is_(None),
        )
    )
    if clash is not None and clash is not rule:
        raise RoutingConflict()
    if rule is None:
        rule = RoutingRule()
        db.session.add(rule)
    rule.category_id, rule.region_id, rule.team_id = category_id, region_id, team_id
    db.session.flush()
    logger.info(
        "Routing rule %s: category %s region %s -> team %s",
        rule.id,
        category_id,
        region_id,
        team_id,
    )
    return rule


def delete_routing_rule(rule: RoutingRule) -> None:
    """Remove a rule; existing cases keep their team."""
    db.session.delete(rule)
    db.session.flush()
