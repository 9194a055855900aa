"""An endpoint that cannot serve is one line and a non-zero exit: `run` fails fast, `doctor`
says so in its exit code (and so do Z3, embeddings, and Lean where it is asked for)."""

from __future__ import annotations

import socket

import pytest

from retrolean.agent.cli import main
from retrolean.tools.generate.fake_server import FakeOpenAI

pytest_plugins = ["conftest_fake_openai"]


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def closed_port() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture
def unresolvable(monkeypatch):
    """A host name the resolver does not know (without asking any real resolver)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "r1.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "http://r1.invalid:8000/v1"


def tls_to_plain(server: FakeOpenAI) -> str:
    return server.url.replace("http://", "https://")


# --- run, verify ----------------------------------------------------------------------------


def run(tmp_path, capsys, base_url: str, *extra: str) -> tuple[int, str]:
    code = cli("run", "g", "--n", "2", "--formal", "smtlib2", "--workspace",
               str(tmp_path / "ws"), "--model", "fake-r1", "--base-url", base_url, *extra)
    return code, capsys.readouterr().err


def test_run_against_a_closed_port_fails_at_once_with_one_line(tmp_path, capsys):
    code, err = run(tmp_path, capsys, closed_port())
    assert code == 2 and "connection refused" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "ws" / "runs").exists()  # nothing planned, nothing written


def test_verify_against_a_closed_port_fails_at_once_with_one_line(tmp_path, capsys):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"id": "a", "formal": "(check-sat)", "language": "smtlib2", '
                     '"english": "Nothing."}\n')
    code = cli("verify", str(pairs), "--model", "fake-r1", "--base-url", closed_port(),
               "--workspace", str(tmp_path / "ws"))
    err = capsys.readouterr().err
    assert code == 2 and "connection refused" in err and "Traceback" not in err


def test_run_against_an_unknown_host_fails_at_once(tmp_path, capsys, unresolvable):
    code, err = run(tmp_path, capsys, unresolvable)
    assert code == 2 and "cannot resolve the host" in err


def test_run_over_tls_to_a_plain_port_fails_at_once(tmp_path, capsys, fake_openai):
    code, err = run(tmp_path, capsys, tls_to_plain(fake_openai))
    assert code == 2 and "TLS handshake" in err


def test_run_with_a_refused_key_fails_before_planning(tmp_path, capsys, fake_openai,
                                                      monkeypatch):
    fake_openai.api_key = "right"
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    code, err = run(tmp_path, capsys, fake_openai.url)
    assert code == 2 and "401" in err and not fake_openai.chat_requests


def test_run_with_a_model_the_endpoint_does_not_serve_fails_at_once(tmp_path, capsys,
                                                                     fake_openai):
    code = cli("run", "g", "--n", "2", "--formal", "smtlib2", "--workspace",
               str(tmp_path / "ws"), "--model", "r1-huge", "--base-url", fake_openai.url)
    err = capsys.readouterr().err
    assert code == 2 and "'r1-huge' is not served" in err and not fake_openai.chat_requests


# --- doctor ---------------------------------------------------------------------------------


def doctor(capsys, monkeypatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("COLUMNS", "250")
    code = cli("doctor", *args)
    return code, capsys.readouterr().out


def test_doctor_says_the_endpoint_answers_and_exits_0(fake_openai, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch, "--model", "fake-r1", "--base-url", fake_openai.url)
    assert code == 0 and "'fake-r1' at" in out and "answers" in out and "ready" in out


def test_doctor_names_a_model_the_endpoint_does_not_serve(fake_openai, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch, "--model", "r1-huge", "--base-url", fake_openai.url)
    assert code == 1 and "'r1-huge' is not served" in out and "fake-r1" in out


@pytest.mark.parametrize("where", ["closed port", "unknown host", "tls", "refused key"])
def test_doctor_exits_1_when_the_endpoint_cannot_serve(where, fake_openai, capsys,
                                                       monkeypatch, unresolvable):
    url = {"closed port": closed_port(), "unknown host": unresolvable,
           "tls": tls_to_plain(fake_openai), "refused key": fake_openai.url}[where]
    if where == "refused key":
        fake_openai.api_key = "right"
        monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    code, out = doctor(capsys, monkeypatch, "--model", "fake-r1", "--base-url", url)
    said = {"closed port": "connection refused", "unknown host": "cannot resolve",
            "tls": "TLS handshake", "refused key": "401"}[where]
    assert code == 1 and said in out and "not ready: model endpoint" in out


def test_a_half_configured_endpoint_is_a_warning_not_fatal(capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch, "--model", "fake-r1")
    assert code == 0 and "--base-url/OPENAI_BASE_URL is missing" in out and "warn" in out


def test_a_broken_embedding_model_is_fatal(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("RETROLEAN_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    code, out = doctor(capsys, monkeypatch)
    assert code == 1 and "not ready: embeddings" in out


def test_lean_absent_is_fatal_only_where_lean_is_asked_for(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no `lean` to find
    code, out = doctor(capsys, monkeypatch)
    assert code == 0 and "runs use SMT-LIB 2" in out
    monkeypatch.setenv("RETROLEAN_FORMAL", "lean4")
    code, out = doctor(capsys, monkeypatch)
    assert code == 1 and "not ready: Lean 4" in out
