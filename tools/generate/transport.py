"""How a chat request reaches the endpoint: three interchangeable transports, one per module.

- `aiohttp` (transport_aiohttp.py, what "auto" picks): the body written by
  wire.py, posted on one aiohttp session per event loop; C-parsed HTTP, about
  0.2 ms of client CPU per request for the transport.
- `httpx` (transport_httpx.py): the same body on sharded httpx clients; pure
  Python, about 0.6-0.7 ms.
- `sdk` (transport_sdk.py): langchain-openai's ChatOpenAI through the OpenAI
  SDK, which writes and reads the JSON itself; the reference the other two
  are checked against, about 2 ms.

All three take `ChatMessage`s and return a wire.Answer, and raise their
library's own errors, which faults.classify turns into ModelCallErrors, so
retries and Retry-After behave the same whichever travels. Measured with
bench/model_throughput.py (fixed 200 ms latency, concurrency 64, shared
2-core machine), see that script's docstring for the figures.

Trade-offs: a transport holds connections, so the client opens one per event
loop (a pool cannot outlive the loop it was opened on) and closes it with
`aclose()`. The sdk module is imported only when chosen, so a process that
calls models through aiohttp or httpx does not load langchain-openai and the
OpenAI SDK (three times the objects the cyclic garbage collector walks in its
full collections, ~100 ms each on the benchmark machine, against ~20 ms).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from retrolean.tools.generate.completion import ChatMessage, ModelConfig
from retrolean.tools.generate.transport_aiohttp import AiohttpTransport
from retrolean.tools.generate.transport_httpx import HttpxTransport
from retrolean.tools.generate.wire import Answer

TransportName = Literal["aiohttp", "httpx", "sdk"]


class Transport(Protocol):
    """Sends chat requests and model listings for one event loop."""

    name: str

    async def generate(self, messages: list[ChatMessage], params: dict[str, Any],
                       timeout_s: float) -> Answer:
        """One chat completion; raises the transport's own errors (see faults.classify)."""
        ...

    async def list_models(self, timeout_s: float) -> list[str]:
        """The model names the endpoint lists."""
        ...

    async def aclose(self) -> None:
        """Close its connections."""
        ...


def choose_transport(config: ModelConfig) -> TransportName:
    """The transport a config gets: its own choice; "auto" is aiohttp.

    Example: choose_transport(ModelConfig(base_url="https://api.deepseek.com", model="m"))
             -> "aiohttp"; with transport="sdk" -> "sdk"
    """
    return "aiohttp" if config.transport == "auto" else config.transport


def open_transport(config: ModelConfig) -> Transport:
    """A new transport for the running event loop, as `choose_transport` decides."""
    name = choose_transport(config)
    if name == "aiohttp":
        return AiohttpTransport(config)
    if name == "httpx":
        return HttpxTransport(config)
    # imported on use: langchain-openai and the OpenAI SDK are a large heap to collect
    from retrolean.tools.generate.transport_sdk import SdkTransport

    return SdkTransport(config)
