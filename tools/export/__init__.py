"""Training-data writers: a run's sets as files people train on.

`dataset` writes a Hugging Face dataset (parquet per set and split, with its
card from `dataset_card`); `conversations` writes the conversation sets as
OpenAI-messages or ShareGPT JSONL. Both can drop duplicates first (`dedup`)
and split train/test with domain combinations kept disjoint (`split`). The
agent's own traces are exported by `retrolean.traces.export`.
"""
