"""The `sdk` transport: langchain-openai's `ChatOpenAI.agenerate` through the OpenAI SDK.

The request is written, sent and read by ChatOpenAI and the SDK (LangChain
callbacks, the SDK's own request handling) on sharded httpx pools (see
shards.py); a small `ChatOpenAI` subclass also keeps R1 reasoning
(`reasoning_content` / `reasoning`), logprobs and the finish reason of every
choice, which `ChatOpenAI` drops or merges.

The SDK's errors are translated into what faults.classify reads (an HTTP
status into its ModelCallError, a timeout into TimeoutError, a connection
failure into ConnectionError with the SDK's error as its cause), so retries
behave as on the other transports.

Trade-offs: about 2 ms of client CPU per call, four times the aiohttp path,
in exchange for the reference behaviour: this is the path the hand-built
request and answer of wire.py are checked against. transport.py imports this
module only when the sdk transport is chosen: langchain-openai and the OpenAI
SDK more than triple the objects the garbage collector walks.
"""

from __future__ import annotations

from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

from retrolean.tools.generate.completion import ChatMessage, Choice, ModelConfig
from retrolean.tools.generate.faults import server_message, status_error
from retrolean.tools.generate.shards import Shards, shard_count
from retrolean.tools.generate.wire import Answer, reasoning_of, token_logprobs

_LC_MESSAGE = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


class ReasoningChatOpenAI(ChatOpenAI):
    """ChatOpenAI that keeps each choice's reasoning, logprobs and finish reason in its
    generation_info, and can send `max_tokens` (what non-OpenAI servers read) instead of
    `max_completion_tokens`."""

    max_tokens_field: str = "max_tokens"

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None,
                             **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self.max_tokens_field == "max_tokens" and "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload

    def _create_chat_result(self, response: Any, generation_info: dict | None = None
                            ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        raw_choices = (response.get("choices") if isinstance(response, dict)
                       else getattr(response, "choices", None)) or []
        for generation, raw in zip(result.generations, raw_choices, strict=False):
            if not isinstance(raw, dict):
                raw = raw.model_dump()
            generation.generation_info = {**(generation.generation_info or {}),
                                          "reasoning": reasoning_of(raw.get("message") or {}),
                                          "logprobs": raw.get("logprobs"),
                                          "finish_reason": raw.get("finish_reason")}
        return result


def build_chat(config: ModelConfig, http_async_client: Any = None) -> ReasoningChatOpenAI:
    """The ChatOpenAI for a config, with its own retries off."""
    return ReasoningChatOpenAI(
        base_url=config.base_url, api_key=config.api_key, model=config.model,
        timeout=config.timeout_s, max_retries=0, http_async_client=http_async_client,
        use_responses_api=False, extra_body=config.extra_body or None,
        max_tokens_field=config.max_tokens_field, include_response_headers=True)


def lc_messages(messages: list[ChatMessage]) -> list[BaseMessage]:
    """The LangChain messages for chat messages.

    Example: lc_messages([ChatMessage(role="user", content="hi")]) -> [HumanMessage("hi")]
    """
    return [_LC_MESSAGE[m.role](m.content) for m in messages]


def plain_error(exc: openai.APIError, config: ModelConfig) -> Exception:
    """The error faults.classify understands for an OpenAI SDK error (raise it `from exc`).

    Example: plain_error(openai.APITimeoutError(request), config) -> TimeoutError(...)
    """
    if isinstance(exc, openai.APITimeoutError):
        return TimeoutError(str(exc))
    if isinstance(exc, openai.APIStatusError):
        said = server_message(exc.body, exc.message)
        return status_error(exc.status_code, said, headers=getattr(exc.response, "headers", None),
                            base_url=config.base_url, model=config.model)
    if isinstance(exc, openai.APIConnectionError):
        return ConnectionError(str(exc))
    return ValueError(str(exc))  # APIResponseValidationError: an answer that is not the API's


def answer_of(result: ChatResult) -> Answer:
    """The Answer a ChatResult of ReasoningChatOpenAI holds."""
    choices = []
    for generation in result.generations:
        info = generation.generation_info or {}
        choices.append(Choice(text=str(generation.message.content or ""),
                              reasoning=info.get("reasoning") or "",
                              finish_reason=info.get("finish_reason"),
                              logprobs=token_logprobs(info.get("logprobs"))))
    first = result.generations[0].message if result.generations else None
    usage = getattr(first, "usage_metadata", None) or {}
    info = (result.generations[0].generation_info or {}) if result.generations else {}
    headers = {str(k).lower(): v for k, v in (info.get("headers") or {}).items()}
    return Answer(choices, tokens_in=int(usage.get("input_tokens", 0)),
                  tokens_out=int(usage.get("output_tokens", 0)), headers=headers or None)


class SdkTransport:
    """ChatOpenAI's own path (OpenAI SDK), on sharded connection pools."""

    name = "sdk"

    def __init__(self, config: ModelConfig) -> None:
        self._config = config
        https = [openai.DefaultAsyncHttpxClient(timeout=config.timeout_s)
                 for _ in range(shard_count(config.concurrency))]
        self._shards = Shards(https)
        self._chats = [build_chat(config, http) for http in https]

    async def generate(self, messages: list[ChatMessage], params: dict[str, Any],
                       timeout_s: float) -> Answer:
        """One chat completion through ChatOpenAI; raises the SDK's errors."""
        index = self._shards.take()
        try:
            result = await self._chats[index].agenerate([lc_messages(messages)],
                                                        timeout=timeout_s, **params)
        except openai.APIError as exc:
            raise plain_error(exc, self._config) from exc
        finally:
            self._shards.give_back(index)
        return answer_of(ChatResult(generations=result.generations[0],
                                    llm_output=result.llm_output))

    async def list_models(self, timeout_s: float) -> list[str]:
        """The model names the endpoint lists, through the SDK."""
        root = self._chats[0].root_async_client.with_options(timeout=timeout_s)
        try:
            page = await root.models.list()
        except openai.APIError as exc:
            raise plain_error(exc, self._config) from exc
        return sorted(model.id for model in page.data)

    async def aclose(self) -> None:
        """Close the pools."""
        await self._shards.aclose()
