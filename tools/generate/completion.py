"""The typed boundary of model calls: endpoint config, messages, requests, results, failures.

Everything a stage hands to `ModelClient` or gets back from it is one of these
pydantic models, so records and traces can store them as they are. A
`Completion` describes its first choice at top level (`text`, `reasoning`,
`finish_reason`, `logprobs`) because nearly every caller wants only that, and
keeps all choices in `choices` for the callers that ask for n > 1.

Trade-off: `text` is the answer as the server sent it (an R1 think block
inline stays inline) and `reasoning` is only what the server sent separately
(`reasoning_content` / `reasoning`); splitting inline think blocks is the
parser's job (`tools.generate.parsing.split_reasoning`), so the cache stores exactly
what the server said.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

Role = Literal["system", "user", "assistant"]
FailureKind = Literal["rate_limited", "server_error", "timeout", "connection", "protocol",
                      "auth", "not_found", "bad_request", "bad_url"]


class ModelConfig(BaseModel):
    """Where the endpoint is, which model, and how hard to try."""

    base_url: str = Field(description="OpenAI-compatible base URL, usually ending in /v1")
    api_key: SecretStr = Field(SecretStr("EMPTY"),
                               description="API key; local servers accept any string")
    model: str = Field(description="model name as the endpoint serves it")
    timeout_s: float = Field(300.0, gt=0, description="limit per HTTP attempt")
    concurrency: int = Field(16, ge=1, description="HTTP attempts in flight at most")
    max_retries: int = Field(4, ge=0, description="retries after the first attempt")
    backoff_base_s: float = Field(1.0, ge=0, description="first backoff ceiling (full jitter)")
    backoff_max_s: float = Field(30.0, ge=0, description="largest backoff ceiling")
    retry_after_max_s: float = Field(120.0, ge=0, description="cap on a server's Retry-After")
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = Field(
        "max_tokens", description="request field for the output limit; DeepSeek, vLLM, "
                                  "Ollama and llama.cpp all read max_tokens")
    extra_body: dict[str, Any] = Field(default_factory=dict,
                                       description="extra request fields (e.g. vLLM top_k)")
    transport: Literal["auto", "aiohttp", "httpx", "sdk"] = Field(
        "auto", description="aiohttp: the request posted with aiohttp (C-parsed HTTP, least "
                            "CPU per call); httpx: the same request with httpx.AsyncClient; "
                            "sdk: ChatOpenAI through the OpenAI SDK (most CPU per call, "
                            "LangChain callbacks); auto: aiohttp")


class ChatMessage(BaseModel):
    """One chat message."""

    role: Role
    content: str


class TopLogprob(BaseModel):
    """One alternative at a token position, with its log-probability."""

    token: str
    logprob: float


class TokenLogprob(BaseModel):
    """One generated token, its log-probability and the top alternatives at its position."""

    token: str
    logprob: float
    top: list[TopLogprob] = Field(default_factory=list)


class Choice(BaseModel):
    """One choice of a completion."""

    text: str
    reasoning: str = ""
    finish_reason: str | None = None
    logprobs: list[TokenLogprob] | None = None


class Completion(BaseModel):
    """A model answer plus its accounting: tokens, latency, attempts, cache hit."""

    text: str
    reasoning: str = ""
    finish_reason: str | None = None
    logprobs: list[TokenLogprob] | None = None
    choices: list[Choice] = Field(default_factory=list)
    model: str = ""
    skill: str = ""
    skill_version: str = ""
    sample: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = Field(0.0, description="duration of the successful HTTP attempt")
    attempts: int = Field(1, description="HTTP attempts made; 0 for a cache hit")
    cached: bool = Field(False, description="answered from the cache; tokens and latency "
                                            "are then those of the original call")
    key: str = Field("", description="cache key of the call")


class CompletionRequest(BaseModel):
    """One call of a batch: the arguments of `ModelClient.complete`."""

    messages: list[ChatMessage]
    temperature: float = 0.6
    max_tokens: int = 4096
    n: int = Field(1, ge=1)
    logprobs: bool = False
    top_logprobs: int = Field(0, ge=0, le=20)
    skill: str
    skill_version: str = "1"
    sample: int = Field(0, ge=0)
    use_cache: bool = True


class CallFailure(BaseModel):
    """A call that failed after its retries; stands in a batch's results for its Completion."""

    index: int
    kind: FailureKind
    message: str
    attempts: int
    skill: str = ""
    status: int | None = None


class ClientStats(BaseModel):
    """Counters of one client: what reached the server and what the cache answered."""

    calls: int = Field(0, description="complete() calls made, cached or not")
    requests: int = Field(0, description="chat-completion HTTP attempts sent")
    listings: int = Field(0, description="model listings asked for (GET /models)")
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    tokens_in: int = Field(0, description="prompt tokens of answered requests")
    tokens_out: int = Field(0, description="completion tokens of answered requests")


class PingResult(BaseModel):
    """What `retrolean doctor` reports about an endpoint: ok, and one line saying why."""

    ok: bool
    detail: str
    models: list[str] = Field(default_factory=list)
    latency_ms: float = 0.0
