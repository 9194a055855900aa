"""Model calls for every skill: an OpenAI-compatible client with a content cache.

`ModelClient` (client.py) makes the calls: bounded concurrency, retries with
backoff that honour Retry-After, R1 reasoning kept, counters, endpoint
diagnosis. Requests are written and read in the OpenAI wire format (wire.py)
and travel through aiohttp (the default) or httpx, or, on request, through
langchain-openai's ChatOpenAI and the OpenAI SDK (transport.py).
`ResponseCache` (cache.py) stores answers by content in SQLite.
The pydantic types at the boundary live in completion.py, failure handling
in faults.py. Stages import from here.
"""

from retrolean.tools.generate.cache import ResponseCache, cache_key
from retrolean.tools.generate.client import ModelClient
from retrolean.tools.generate.completion import (
    CallFailure,
    ChatMessage,
    Choice,
    ClientStats,
    Completion,
    CompletionRequest,
    ModelConfig,
    PingResult,
    TokenLogprob,
    TopLogprob,
)
from retrolean.tools.generate.faults import ModelCallError, parse_retry_after

__all__ = [
    "CallFailure",
    "ChatMessage",
    "Choice",
    "ClientStats",
    "Completion",
    "CompletionRequest",
    "ModelCallError",
    "ModelClient",
    "ModelConfig",
    "PingResult",
    "ResponseCache",
    "TokenLogprob",
    "TopLogprob",
    "cache_key",
    "parse_retry_after",
]
