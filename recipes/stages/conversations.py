"""Step 8 of the recipe: glue the parts into multi-turn conversations of several shapes."""

from __future__ import annotations

from retrolean.recipes.records import Conversation, Message, Record
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.formal import draft_of
from retrolean.skills.conversation.template import Parts, render


def conversations(records: list[Record], ctx: StageContext) -> StageResult:
    """Render each record into several conversation templates (roles and personas varied)."""
    result = StageResult()
    count = min(ctx.recipe.parameters.conversations_per_problem, len(ctx.conversations))
    made = ctx.generate("conversation", records,
                        lambda: [_conversations(record, ctx, count) for record in records])
    mix: dict[str, int] = {}
    for record, conversations_made in zip(records, made, strict=True):
        record.conversations.extend(conversations_made)
        for conversation in conversations_made:
            mix[conversation.template] = mix.get(conversation.template, 0) + 1
        result.accepted.append(record)
        ctx.progress(1)
    result.figures["templates"] = dict(sorted(mix.items()))
    return result


def _conversations(record: Record, ctx: StageContext, count: int) -> list[Conversation]:
    """`count` conversations of one record, in templates drawn by the record's own rng."""
    rng = ctx.rng(record.id, "conversations")
    m = record.missing
    assert m is not None and record.fill_in and record.english and record.formal
    spec = draft_of(record).spec
    out = []
    for template_id in rng.sample(sorted(ctx.conversations), count):
        # the gap turn is in the missing persona's voice; a vague-only shape may use any persona
        pid = m.persona if template_id != "vague_to_rigorous" else rng.choice(
            sorted(record.personas))
        persona = record.personas[pid]
        parts = Parts(missing=m.text, persona=persona.text, persona_id=pid,
                      fill_in=record.fill_in.text, dropped=m.dropped,
                      caption=record.english.text, formal=record.formal.text,
                      language=record.formal.language,
                      witness=record.formal.check.witness if record.formal.check else None,
                      segments=persona.segments, spec=spec, persona_card=ctx.personas.get(pid))
        messages = render(ctx.conversations[template_id], parts, ctx.domains, rng)
        out.append(Conversation(template=template_id, persona=pid,
                                messages=[Message.model_validate(msg) for msg in messages]))
    return out
