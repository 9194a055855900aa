"""Exports load back: trace conversations with tool calls, weave text, conversation sets, data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import datasets
import numpy as np
import pytest
from review_run import cli, copy_workspace, only_run, review_workspace

from retrolean.memory.errors import UserError
from retrolean.tools.export.conversations import ShareGptTurn
from retrolean.tools.export.dedup import dedup
from retrolean.tools.export.split import assign_splits, combination, split_records
from retrolean.tools.save_set import load_set
from retrolean.traces.chat import validate_conversation
from retrolean.traces.export import trace_messages, weave_pairs, weave_text
from retrolean.traces.reader import load_trace
from retrolean.traces.schema import Block, make_block

datasets.disable_progress_bars()


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return review_workspace(tmp_path_factory)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def load_json_dataset(path: Path, cache: Path) -> datasets.Dataset:
    return datasets.load_dataset("json", data_files=str(path), cache_dir=str(cache))["train"]


def assert_tool_calls_answered(messages: list[dict]) -> None:
    """Independently of traces.chat: each call answered right after its assistant turn."""
    open_ids: list[str] = []
    for m in messages:
        assert m["role"] in ("system", "user", "assistant", "tool")
        if m["role"] == "tool":
            assert m["tool_call_id"] in open_ids
            open_ids.remove(m["tool_call_id"])
            continue
        assert not open_ids, f"unanswered calls {open_ids} before a {m['role']} turn"
        for call in m.get("tool_calls") or []:
            assert call["type"] == "function" and call["id"].startswith("call_")
            assert isinstance(json.loads(call["function"]["arguments"]), dict)
            open_ids.append(call["id"])
    assert not open_ids


def test_trace_becomes_a_valid_tool_calling_conversation(ws):
    trace = load_trace(only_run(ws))
    messages = trace_messages(trace.goal, trace.blocks)
    assert [m["role"] for m in messages[:3]] == ["system", "user", "assistant"]
    assert messages[1]["content"] == "make R1 easier to prompt"
    assert_tool_calls_answered(messages)
    calls = [c for m in messages for c in m.get("tool_calls") or []]
    actions = [b for b in trace.blocks if b.type == "action"]
    assert len(calls) == len(actions)
    first = calls[0]["function"]
    assert first["name"] == "generate"
    assert json.loads(first["arguments"]) == {"skill": "formalize.smtlib2", "items": 12}
    names = {c["function"]["name"] for c in calls}
    assert names == {"generate", "smt_check", "touchstones", "judge", "embed_similarity",
                     "save_set"}
    results = {m["tool_call_id"]: m["content"] for m in messages if m["role"] == "tool"}
    saved = next(c["id"] for c in calls if c["function"]["name"] == "save_set")
    assert "formalize: 12 ->" in results[saved]
    assert messages[-1]["role"] == "assistant" and "Outcome: " in messages[-1]["content"]


def _blocks(*specs: tuple[str, str | None]) -> list[Block]:
    data = {"action": {"tool": "generate", "arguments": {"skill": "caption", "items": 3}},
            "outcome": {"status": "finished"}}
    return [make_block(t, f"{t} {i}", stage=s, index=i, **({"data": data[t]} if t in data else {}))
            for i, (t, s) in enumerate(specs)]


def test_cut_off_action_and_errors_still_give_a_valid_conversation():
    blocks = _blocks(("orientation", None), ("action", "a"), ("error", "a"),
                     ("evaluation", "a"), ("action", "b"), ("expectation", "b"))
    messages = trace_messages("goal", blocks)
    validate_conversation(messages)
    assert_tool_calls_answered(messages)
    tools = [m for m in messages if m["role"] == "tool"]
    assert tools[0]["content"].startswith("error: error 2")
    assert "no result was recorded" in tools[1]["content"]


def test_observation_without_a_call_is_a_user_turn():
    messages = trace_messages("goal", _blocks(("orientation", None), ("observation", None)))
    assert messages[3] == {"role": "user", "content": "Observation: observation 1"}


def test_validator_refuses_unmatched_tool_results():
    bad = [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "x", "content": "y"}]
    with pytest.raises(ValueError, match="answers no open call"):
        validate_conversation(bad)


def test_weave_rendering_frames_each_block_and_judged_questions():
    blocks = _blocks(("orientation", None), ("action", "s"), ("observation", "s"))
    blocks.append(make_block("evaluation", "ok", index=3, stage="s", score=1.0,
                             q="Is this good?"))
    text = weave_text(blocks)
    assert text.count("#startblock type: ") == 4 and text.count("#endblock\n") == 4
    assert "#startblock type: action\n#index 1\n#timestamp " in text
    assert ('#stage s\naction 1\n{"arguments": {"items": 3, "skill": "caption"}, '
            '"tool": "generate"}\n#endblock') in text
    assert "#q: Is this good? Yes. (73.106%)\n#endblock" in text
    pairs = weave_pairs(blocks)
    assert [p["type"] for p in pairs] == ["orientation", "action", "evaluation"]
    assert all(text.startswith(p["prompt"] + p["completion"]) for p in pairs)


def test_cli_exports_golden_traces_that_load_back(ws, tmp_path, capsys):
    own = copy_workspace(ws, tmp_path / "own")
    assert cli("traces", "rate", "latest", "good", "--workspace", str(own)) == 0
    out = tmp_path / "golden.jsonl"
    capsys.readouterr()
    assert cli("export", "sft", "--traces", "--top", "20%", "--rating", "good", "--out",
               str(out), "--workspace", str(own)) == 0
    assert re.search(r"exported 1 trace \(\d+ weave pairs\)", capsys.readouterr().out)
    rows = read_jsonl(out)
    assert len(rows) == 1 and rows[0]["rating"] == "good" and rows[0]["score"] > 1
    validate_conversation(rows[0]["messages"])
    assert_tool_calls_answered(rows[0]["messages"])
    tools = {t["function"]["name"]: t["function"] for t in rows[0]["tools"]}
    assert tools["smt_check"]["parameters"]["properties"]["texts"]["type"] == "integer"
    assert tools["generate"]["description"].startswith("run a skill")
    loaded = load_json_dataset(out, tmp_path / "cache")
    assert loaded.num_rows == 1 and loaded[0]["messages"][1]["role"] == "user"
    weave = read_jsonl(tmp_path / "golden.weave.jsonl")
    assert weave[0]["text"].startswith("#startblock type: orientation\n")
    pairs = load_json_dataset(tmp_path / "golden.weave-pairs.jsonl", tmp_path / "cache2")
    assert pairs.num_rows > 10 and set(pairs.column_names) >= {"prompt", "completion"}


def test_no_trace_passing_the_filters_is_a_clear_error(ws, capsys):
    assert cli("export", "sft", "--traces", "--rating", "good", "--workspace", str(ws)) == 2
    assert "no trace passes the filters" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["messages", "sharegpt"])
def test_cli_exports_conversation_sets(ws, tmp_path, fmt):
    out = tmp_path / "conv.jsonl"
    assert cli("export", "sft", "--sets", "latest", "--format", fmt, "--out", str(out),
               "--workspace", str(ws)) == 0
    records = load_set(only_run(ws) / "sets" / "conversations.jsonl")
    rows = read_jsonl(out)
    assert len(rows) == sum(len(r["conversations"]) for r in records)
    for row in rows:
        if fmt == "messages":
            validate_conversation(row["messages"])
            assert row["messages"][0]["role"] == "user"
        else:
            turns = [ShareGptTurn.model_validate(t) for t in row["conversations"]]
            assert turns[0].from_ == "human" and {t.from_ for t in turns} <= {"human", "gpt"}
            assert set(row) >= {"conversations", "id", "template", "persona", "domains"}
    assert load_json_dataset(out, tmp_path / "cache").num_rows == len(rows)


def test_conversation_split_keeps_domain_combinations_apart(ws, tmp_path):
    out = tmp_path / "conv.jsonl"
    assert cli("export", "sft", "--sets", "latest", "--test-size", "0.5", "--out", str(out),
               "--workspace", str(ws)) == 0
    train, test = read_jsonl(out), read_jsonl(tmp_path / "conv.test.jsonl")
    assert train and test
    assert not {tuple(sorted(r["domains"])) for r in train} & \
        {tuple(sorted(r["domains"])) for r in test}


def test_cli_exports_a_dataset_that_loads_back(ws, tmp_path):
    out = tmp_path / "ds"
    assert cli("export", "dataset", "latest", "--out", str(out), "--test-size", "0.3",
               "--workspace", str(ws)) == 0
    run = only_run(ws)
    for name in ("formalize", "roundtrip", "conversations"):
        records = {r["id"]: r for r in load_set(run / "sets" / f"{name}.jsonl")}
        files = {p.stem: str(p) for p in (out / "data" / name).glob("*.parquet")}
        loaded = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "c"))
        rows = sum(len(r["conversations"]) for r in records.values()) \
            if name == "conversations" else len(records)
        assert sum(s.num_rows for s in loaded.values()) == rows
        for row in loaded["train"]:
            assert json.loads(row["record_json"]) == records[row["id"]]
            assert row["formal_status"] == "sat" and row["generator"] == "template"
        if "test" in loaded:
            train = {tuple(sorted(d)) for d in loaded["train"]["domains"]}
            assert not train & {tuple(sorted(d)) for d in loaded["test"]["domains"]}
    convs = datasets.load_dataset(str(out), "conversations", cache_dir=str(tmp_path / "c2"))
    first = convs["train"][0]
    record = json.loads(first["record_json"])
    assert first["messages"] == [{"role": m["role"], "content": m["content"]}
                                 for m in record["conversations"][first["conversation"]]
                                 ["messages"]]
    assert not (out / "data" / "formalize.rejects").exists()


def test_load_dataset_reads_the_conversations_with_no_config_name(ws, tmp_path):
    """`load_dataset(DIR)` works as people first try it, and its rows are what a chat trainer
    (TRL's SFTTrainer) takes: a top-level `messages` list of role/content turns."""
    out = tmp_path / "ds"
    assert cli("export", "dataset", "latest", "--out", str(out), "--workspace", str(ws)) == 0
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "c"))
    train = ds["train"]
    assert train.features["messages"] == datasets.List({"role": datasets.Value("string"),
                                                        "content": datasets.Value("string")})
    for row in train:
        assert row["messages"] and {m["role"] for m in row["messages"]} <= {"user",
                                                                            "assistant",
                                                                            "system"}
        assert all(m["content"] for m in row["messages"])
    assert "default: true" in (out / "README.md").read_text()


def test_dataset_card_states_how_the_data_was_made(ws, tmp_path):
    out = tmp_path / "ds"
    assert cli("export", "dataset", "latest", "--out", str(out), "--workspace", str(ws)) == 0
    card = (out / "README.md").read_text()
    for fragment in ("license: unknown", "config_name: conversations", "generator: **template**",
                     "model: none", "seed: 4", "recipe: `make-r1-easier-to-prompt`",
                     "| formalize | 12 |", "roundtrip_similarity = 0.97", "## License"):
        assert fragment in card, fragment
    assert cli("export", "dataset", "latest", "--out", str(out), "--workspace", str(ws)) == 0


def test_dataset_export_refuses_a_foreign_directory(ws, tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert cli("export", "dataset", "latest", "--out", str(tmp_path / "mine"),
               "--workspace", str(ws)) == 2
    assert "not a retrolean dataset export" in capsys.readouterr().err


class FakeEmbedder:
    """Texts starting with the same letter embed to the same unit vector."""

    def embed(self, texts):
        out = np.zeros((len(texts), 8))
        for i, t in enumerate(texts):
            out[i, ord(t[0]) % 8] = 1.0
        return out


def _rec(i: int, text: str, domains=("a", "b")) -> dict:
    return {"id": f"r{i}", "domains": list(domains), "english": {"text": text}}


def test_exact_and_near_duplicates_are_dropped_first_kept():
    records = [_rec(0, "alpha one"), _rec(1, "alpha one"), _rec(2, "alpha two"),
               _rec(3, "beta")]
    kept, report = dedup(records, "exact")
    assert [r["id"] for r in kept] == ["r0", "r2", "r3"] and report.exact == 1
    kept, report = dedup(records, "near", FakeEmbedder(), 0.99)
    assert [r["id"] for r in kept] == ["r0", "r3"] and (report.exact, report.near) == (1, 1)
    with pytest.raises(UserError, match="--dedup must be one of"):
        dedup(records, "fuzzy")


def test_near_duplicates_by_the_real_embedding_model(ws):
    from retrolean.tools.embed_similarity import Embedder

    records = load_set(only_run(ws) / "sets" / "formalize.jsonl")
    twin = json.loads(json.dumps(records[0]))
    twin["id"] = "twin"
    twin["formal"]["text"] = re.sub(r"(\(assert[^\n]*?)(\d+)",
                                    lambda m: m.group(1) + str(int(m.group(2)) + 1),
                                    twin["formal"]["text"], count=1)
    assert twin["formal"]["text"] != records[0]["formal"]["text"]
    kept, report = dedup([*records, twin], "near", Embedder())
    assert report.near == 1 and "twin" not in {r["id"] for r in kept}
    assert len(kept) == len(records)


def test_split_is_seeded_and_keeps_combinations_disjoint():
    records = [_rec(i, str(i), domains=(f"d{i % 5}", "x")) for i in range(20)]
    assignment = assign_splits(records, 0.4, seed=3)
    assert assignment == assign_splits(records, 0.4, seed=3)
    parts = split_records(records, assignment)
    assert 6 <= len(parts["test"]) <= 10 and len(parts["train"]) + len(parts["test"]) == 20
    assert not {combination(r) for r in parts["train"]} & {combination(r) for r in parts["test"]}
    assert any(assign_splits(records, 0.4, seed=s) != assignment for s in range(4, 10))
    one_combo = [_rec(i, str(i)) for i in range(5)]
    assert set(assign_splits(one_combo, 0.5, seed=1).values()) == {"train"}
