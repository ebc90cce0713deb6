"""Conversion: programmes, conversion rules and their events, conversions, claims, locks,
idempotency keys; outcomes gain ``conversion_grant_id`` (transferred credit).

Rule versions, rule events, conversions, their grants, sources and events are facts:
UPDATE and DELETE are refused by triggers, as on the ledger's tables (0009). Claims,
locks and idempotency keys are working state.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditbank.migrations.append_only import refuse_changes

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "conversion_rules",
    "conversion_rule_events",
    "conversions",
    "conversion_grants",
    "conversion_grant_sources",
    "conversion_events",
)
TABLES = (
    "conversion_events",
    "conversion_grant_sources",
    "conversion_claims",
    "conversion_rule_events",
    "conversion_grants",
    "programme_components",
    "conversions",
    "conversion_rules",
    "conversion_locks",
    "programmes",
    "idempotency_keys",
)


def _create_tables() -> None:

    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("total_credits", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("category_credits", sa.JSON(), nullable=False),
        sa.Column("min_level_id", sa.Integer(), nullable=True),
        sa.Column("cap_per_source_item", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("cap_programme_credits", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("cap_programme_share", sa.Numeric(precision=4, scale=3), nullable=True),
        sa.Column("cap_per_year", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("cap_per_issuer", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("reverse_on_withdrawal", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_programmes_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_items.id"], name=op.f("fk_programmes_item_id_catalog_items")
        ),
        sa.ForeignKeyConstraint(
            ["min_level_id"],
            ["framework_levels.id"],
            name=op.f("fk_programmes_min_level_id_framework_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("code", name=op.f("uq_programmes_code")),
    )
    op.create_index(
        op.f("ix_programmes_institution_id"), "programmes", ["institution_id"], unique=False
    )
    op.create_table(
        "conversion_locks",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_conversion_locks_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_conversion_locks_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("learner_id", "programme_id", name=op.f("pk_conversion_locks")),
    )
    op.create_table(
        "conversion_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("drafted_by_user_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drafted_by_user_id"],
            ["users.id"],
            name=op.f("fk_conversion_rules_drafted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_conversion_rules_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_conversion_rules_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_rules")),
        sa.UniqueConstraint(
            "id", "drafted_by_user_id", name=op.f("uq_conversion_rules_id_drafted_by_user_id")
        ),
        sa.UniqueConstraint(
            "programme_id",
            "code",
            "version",
            name=op.f("uq_conversion_rules_programme_id_code_version"),
        ),
    )
    op.create_index(
        op.f("ix_conversion_rules_institution_id"),
        "conversion_rules",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_conversion_rules_programme_id"), "conversion_rules", ["programme_id"], unique=False
    )
    op.create_table(
        "conversions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_conversions_learner_id_learners")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_conversions_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_conversions_public_id")),
    )
    op.create_index(
        "ix_conversions_learner_id_programme_id",
        "conversions",
        ["learner_id", "programme_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_conversions_programme_id"), "conversions", ["programme_id"], unique=False
    )
    op.create_table(
        "programme_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_programme_components_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_components_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_components")),
        sa.UniqueConstraint(
            "programme_id", "code", name=op.f("uq_programme_components_programme_id_code")
        ),
    )
    op.create_index(
        op.f("ix_programme_components_programme_id"),
        "programme_components",
        ["programme_id"],
        unique=False,
    )
    op.create_table(
        "conversion_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("component", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("allowed", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("granted", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("cut_by", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("source_item_id", sa.Integer(), nullable=False),
        sa.Column("source_institution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversion_id"],
            ["conversions.id"],
            name=op.f("fk_conversion_grants_conversion_id_conversions"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["conversion_rules.id"],
            name=op.f("fk_conversion_grants_rule_id_conversion_rules"),
        ),
        sa.ForeignKeyConstraint(
            ["source_institution_id"],
            ["institutions.id"],
            name=op.f("fk_conversion_grants_source_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["source_item_id"],
            ["catalog_items.id"],
            name=op.f("fk_conversion_grants_source_item_id_catalog_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_grants")),
        sa.UniqueConstraint(
            "conversion_id", "position", name=op.f("uq_conversion_grants_conversion_id_position")
        ),
    )
    op.create_index(
        op.f("ix_conversion_grants_conversion_id"),
        "conversion_grants",
        ["conversion_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_conversion_grants_rule_id"), "conversion_grants", ["rule_id"], unique=False
    )
    op.create_table(
        "conversion_rule_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind NOT IN ('approved', 'rejected') OR by_user_id <> author_user_id",
            name=op.f("ck_conversion_rule_events_four_eyes"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_conversion_rule_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id", "author_user_id"],
            ["conversion_rules.id", "conversion_rules.drafted_by_user_id"],
            name="fk_conversion_rule_events_rule_author",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_rule_events")),
        sa.UniqueConstraint("rule_id", "kind", name=op.f("uq_conversion_rule_events_rule_id_kind")),
    )
    op.create_index(
        op.f("ix_conversion_rule_events_rule_id"),
        "conversion_rule_events",
        ["rule_id"],
        unique=False,
    )
    op.create_table(
        "conversion_claims",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("conversion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversion_id"],
            ["conversions.id"],
            name=op.f("fk_conversion_claims_conversion_id_conversions"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_conversion_claims_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_conversion_claims_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("programme_id", "outcome_id", name=op.f("pk_conversion_claims")),
    )
    op.create_index(
        op.f("ix_conversion_claims_conversion_id"),
        "conversion_claims",
        ["conversion_id"],
        unique=False,
    )
    op.create_table(
        "conversion_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversion_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversion_id"],
            ["conversions.id"],
            name=op.f("fk_conversion_events_conversion_id_conversions"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_conversion_events_outcome_id_outcomes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_events")),
    )
    op.create_index(
        op.f("ix_conversion_events_conversion_id"),
        "conversion_events",
        ["conversion_id"],
        unique=False,
    )
    op.create_table(
        "conversion_grant_sources",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["conversion_grants.id"],
            name=op.f("fk_conversion_grant_sources_grant_id_conversion_grants"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_conversion_grant_sources_outcome_id_outcomes"),
        ),
        sa.PrimaryKeyConstraint("grant_id", "outcome_id", name=op.f("pk_conversion_grant_sources")),
    )
    op.create_index(
        op.f("ix_conversion_grant_sources_outcome_id"),
        "conversion_grant_sources",
        ["outcome_id"],
        unique=False,
    )


def _link_outcomes() -> None:
    """Outcomes gain the conversion grant that made them (transferred credit). SQLite adds the
    column with its REFERENCES clause (a batch copy of the append-only table is avoided)."""
    name = "fk_outcomes_conversion_grant_id_conversion_grants"
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("outcomes", sa.Column("conversion_grant_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            name, "outcomes", "conversion_grants", ["conversion_grant_id"], ["id"]
        )
    else:
        op.execute(
            "ALTER TABLE outcomes ADD COLUMN conversion_grant_id INTEGER "
            f"CONSTRAINT {name} REFERENCES conversion_grants (id)"
        )
    op.create_index(
        "ix_outcomes_conversion_grant_id", "outcomes", ["conversion_grant_id"], unique=True
    )


def upgrade() -> None:
    _create_tables()
    _link_outcomes()
    refuse_changes(APPEND_ONLY)


def downgrade() -> None:
    op.drop_index("ix_outcomes_conversion_grant_id", table_name="outcomes")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            "fk_outcomes_conversion_grant_id_conversion_grants", "outcomes", type_="foreignkey"
        )
    op.execute("ALTER TABLE outcomes DROP COLUMN conversion_grant_id")
    for table in TABLES:
        op.drop_table(table)
