"""The question bank files -> the questions table, in place.

Questions are matched by id: new ones are added, changed ones updated (their
content hash differs), unchanged ones left alone, and ones no longer in the
bank marked inactive (never deleted: answers refer to them)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import Session, select

from .content.questions import Basis
from .content.questions import Question as BankQuestion
from .content.site import page_url, statute_page_path
from .content.statutes import Corpus, article_anchor, article_label
from . import draw_pool, prepared_paper
from .models import Question


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"题库已同步：新增 {len(self.added)}，更新 {len(self.updated)}，未变 {self.unchanged}，"
                f"停用 {len(self.retired)}")


def basis_row(corpus: Corpus, b: Basis) -> dict:
    """A statute basis as stored: the quotation, its label and its handbook URL."""
    statute = corpus.find(b.statute, b.version)
    return {"statute": b.statute, "version": b.version, "article": b.article, "label": article_label(b.article),
            "quote": b.quote, "url": page_url(f"{statute_page_path(statute)}#{article_anchor(b.article)}")}


def sync_bank(db: Session, questions: list[BankQuestion], corpus: Corpus) -> SyncResult:
    """Bring the questions table in line with the (already checked) bank."""
    result = SyncResult()
    stamp = draw_pool.next_stamp(db.connection())          # every worker's next draw sees the change
    existing = {q.id: q for q in db.exec(select(Question))}
    for bq in questions:
        row = existing.pop(bq.id, None)
        values = dict(type=bq.type, difficulty=bq.difficulty, volume=bq.volume, step=bq.step,
                      stem=bq.stem, options=bq.options, answer=bq.answer, explanation=bq.explanation,
                      anchor=bq.anchor, source=f"{bq.file}:{bq.line}", content_hash=bq.content_hash(),
                      basis=[basis_row(corpus, b) for b in bq.basis], parts=[asdict(p) for p in bq.parts], pool=bq.pool,
                      items=list(bq.items))
        if row is None:
            db.add(Question(id=bq.id, **values, updated_at=stamp))
            result.added.append(bq.id)
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed and row.active:
            result.unchanged += 1
            continue
        for k, v in changed.items():
            setattr(row, k, v)
        row.active, row.updated_at = True, stamp
        db.add(row)
        result.updated.append(bq.id)
    for row in existing.values():
        if row.active:
            row.active, row.updated_at = False, stamp
            db.add(row)
            result.retired.append(row.id)
    if result.updated or result.retired:        # pages prepared in a waiting room show the old text: render anew
        prepared_paper.forget_all(db.connection())
    db.commit()
    return result
