"""The version of every skill's template process, recorded in each record's provenance."""

from retrolean.skills.caption import template as caption
from retrolean.skills.conversation import template as conversation
from retrolean.skills.drop_domain import template as drop_domain
from retrolean.skills.fill_in import template as fill_in
from retrolean.skills.formalize import template as formalize
from retrolean.skills.persona import template as persona
from retrolean.skills.reformalize import template as reformalize

SKILL_VERSIONS: dict[str, str] = {
    name: module.VERSION
    for name, module in {
        "formalize": formalize, "caption": caption, "reformalize": reformalize,
        "persona": persona, "drop_domain": drop_domain, "fill_in": fill_in,
        "conversation": conversation,
    }.items()
}
