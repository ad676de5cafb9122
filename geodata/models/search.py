"""The vocabulary of the search box: every word of the systems' names, codes and communities.

Filled by a database trigger (migration 0003) whenever systems are inserted or updated, so the
search can correct a typo against a few thousand words instead of every system.
"""

from __future__ import annotations

from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base


class SearchWord(Base):
    __tablename__ = "search_word"
    __table_args__ = (
        Index(
            "ix_search_word_trigrams",
            "word",
            # GiST, not GIN: it serves nearest-word ordering (<->) and LIKE 'prefix%' alike.
            postgresql_using="gist",
            postgresql_ops={"word": "gist_trgm_ops"},
        ),
    )

    word: Mapped[str] = mapped_column(Text, primary_key=True)
