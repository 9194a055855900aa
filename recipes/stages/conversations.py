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
    mix: dict[str, int] = {}
    for record in records:
        rng = ctx.rng(record.id, "conversations")
        m = record.missing
        spec = draft_of(record).spec
        for template_id in rng.sample(sorted(ctx.conversations), count):
            # the gap turn is in the missing persona's voice; a vague-only shape may use any persona
            pid = m.persona if template_id != "vague_to_rigorous" else rng.choice(
                sorted(record.personas))
            persona = record.personas[pid]
            parts = Parts(missing=m.text, persona=persona.text, persona_id=pid,
                          fill_in=record.fill_in.text, dropped=m.dropped,
                          caption=record.english.text, formal=record.formal.text,
                          language=record.formal.language, witness=record.formal.check.witness,
                          segments=persona.segments, spec=spec,
                          persona_card=ctx.personas.get(pid))
            messages = render(ctx.conversations[template_id], parts, ctx.domains, rng)
            record.conversations.append(Conversation(
                template=template_id, persona=pid,
                messages=[Message.model_validate(msg) for msg in messages]))
            mix[template_id] = mix.get(template_id, 0) + 1
        result.accepted.append(record)
        ctx.progress(1)
    result.figures["templates"] = dict(sorted(mix.items()))
    return result
