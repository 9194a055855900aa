"""save_set: the tool that writes a stage's sets — one JSONL file, or shards with a manifest.

The layouts and their reading live in `memory/sets.py` (every room reads sets); this is
the tool's name for them: `save_set` writes `<name>.jsonl` and `<name>.rejects.jsonl`
atomically, `open_sharded`/`write_shard` write `<name>/part-NNNNN*.jsonl` shard by shard
with the manifest last. Records are pydantic models or plain dicts.
"""

from __future__ import annotations

from retrolean.memory.sets import load_set, open_sharded, read_set, save_set, write_shard

__all__ = ["load_set", "open_sharded", "read_set", "save_set", "write_shard"]
