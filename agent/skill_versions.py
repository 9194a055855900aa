"""The version of every skill's template process, recorded in each record's provenance."""

from skills.caption import template as caption
from skills.conversation import template as conversation
from skills.drop_domain import template as drop_domain
from skills.fill_in import template as fill_in
from skills.formalize import template as formalize
from skills.persona import template as persona
from skills.reformalize import template as reformalize

SKILL_VERSIONS: dict[str, str] = {
    name: module.VERSION
    for name, module in {
        "formalize": formalize, "caption": caption, "reformalize": reformalize,
        "persona": persona, "drop_domain": drop_domain, "fill_in": fill_in,
        "conversation": conversation,
    }.items()
}
