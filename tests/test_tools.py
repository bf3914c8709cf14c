"""Tests for the agent tools in ``tools/``: workspace confinement, calculator safety, notes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.tools import ToolException

import sleep_agent_tools as tools
from sleep_agent_tools import (
    CalculatorError,
    WorkspaceError,
    calculator,
    default_tools,
    make_notes_tool,
    make_workspace_tools,
)

SECRET = "TOP-SECRET-b8e1d2c4"
PASSWD_MARKER = "root:x:0:0"
ABS_PROBE = "/tmp/sleep_agent_tools_escape_probe.txt"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def env(tmp_path: Path) -> dict:
    """A workspace ``ws`` next to an ``outside`` dir holding a secret, plus hostile symlinks."""
    ws, outside = tmp_path / "ws", tmp_path / "outside"
    ws.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n")
    (ws / "hello.txt").write_text("Hello World\nsecond line\n")
    (ws / "sub").mkdir()
    (ws / "sub" / "inner.txt").write_text("inner text\n")
    os.symlink("/etc", ws / "etc_link")
    os.symlink("/", ws / "root_link")
    os.symlink(outside, ws / "out_link")
    os.symlink(outside / "secret.txt", ws / "secret_link")
    os.symlink(outside / "not_yet.txt", ws / "dangling_out")
    os.symlink("../../outside", ws / "sub" / "deep_link")  # relative, via an intermediate dir
    os.symlink("..", ws / "sub" / "up_link")  # points at ws itself: harmless alone
    os.symlink("loop_b", ws / "loop_a")
    os.symlink("loop_a", ws / "loop_b")
    tool_map = {t.name: t for t in make_workspace_tools(ws)}
    return {"ws": ws, "outside": outside, "tmp": tmp_path, "tools": tool_map}


def call(env: dict, name: str, **args) -> str:
    return env["tools"][name].invoke(args)


def snapshot_outside(tmp: Path, ws: Path) -> dict[str, bytes]:
    """Every regular file under ``tmp`` that is not inside the workspace, with its bytes."""
    out = {}
    for dirpath, _dirs, files in os.walk(tmp):
        if Path(dirpath) == ws or ws in Path(dirpath).parents:
            continue
        for f in files:
            p = Path(dirpath) / f
            out[str(p)] = p.read_bytes()
    return out


# --------------------------------------------------------------------------- workspace: normal use


def test_list_files(env):
    out = call(env, "list_files")
    assert "hello.txt (24 bytes)" in out
    assert "sub/" in out
    assert "out_link@" in out
    assert "inner.txt" in call(env, "list_files", path="sub")


def test_list_files_skips_hidden_and_lists_them_only_when_allowed(env):
    (env["ws"] / ".hidden").mkdir()
    (env["ws"] / ".hidden" / "x.txt").write_text("x")
    out = call(env, "list_files")
    assert ".hidden" not in out and "1 hidden not shown" in out
    assert "is hidden" in call(env, "list_files", path=".hidden")
    allowed = {t.name: t for t in make_workspace_tools(env["ws"], read_hidden=True)}
    assert "x.txt" in allowed["list_files"].invoke({"path": ".hidden"})


def test_list_files_on_file_is_error(env):
    assert call(env, "list_files", path="hello.txt").startswith("Error:")


def test_read_file(env):
    assert call(env, "read_file", path="hello.txt") == "Hello World\nsecond line\n"
    assert call(env, "read_file", path="./sub/inner.txt") == "inner text\n"
    assert call(env, "read_file", path="sub/../hello.txt").startswith("Hello")
    assert call(env, "read_file", path=str(env["ws"] / "hello.txt")).startswith("Hello")


def test_read_file_truncation_marker(env):
    text = "".join(chr(ord("a") + i % 26) for i in range(12345))
    (env["ws"] / "big.txt").write_text(text)
    out = call(env, "read_file", path="big.txt")
    assert out.startswith(text[:4000])
    assert out.endswith(
        "[... truncated: showing chars 0-4000 of 12345; call read_file with offset=4000 for more]"
    )
    out2 = call(env, "read_file", path="big.txt", offset=4000, max_chars=100)
    assert out2.startswith(text[4000:4100]) and "offset=4100" in out2
    tail = call(env, "read_file", path="big.txt", offset=12000)
    assert tail.startswith(text[12000:]) and "end of file" in tail
    assert call(env, "read_file", path="big.txt", offset=99999).startswith("Error:")


def test_read_file_errors(env):
    (env["ws"] / "blob.bin").write_bytes(b"\xff\xfe\x00\x81binary")
    assert "not UTF-8" in call(env, "read_file", path="blob.bin")
    assert call(env, "read_file", path="missing.txt").startswith("Error:")
    assert "directory" in call(env, "read_file", path="sub")
    assert call(env, "read_file", path="hello.txt", max_chars=0).startswith("Error:")
    (env["ws"] / "empty.txt").write_text("")
    assert call(env, "read_file", path="empty.txt") == "[empty file]"


def test_read_fifo_does_not_hang(env):
    os.mkfifo(env["ws"] / "pipe")
    assert "not a regular file" in call(env, "read_file", path="pipe")
    assert "No matches" in call(env, "search_files", pattern="zzz")


def test_write_file_roundtrip_and_overwrite(env):
    assert "Wrote 5 chars" in call(env, "write_file", path="new/deep/f.txt", content="hello")
    assert (env["ws"] / "new" / "deep" / "f.txt").read_text() == "hello"
    call(env, "write_file", path="new/deep/f.txt", content="héllo\r\nagain")
    assert (env["ws"] / "new" / "deep" / "f.txt").read_bytes() == "héllo\r\nagain".encode()
    assert call(env, "write_file", path="sub", content="x").startswith("Error:")


def test_write_file_leaves_no_temp_files(env):
    for i in range(5):
        call(env, "write_file", path="sub/f.txt", content=f"version {i}")
    assert sorted(p.name for p in (env["ws"] / "sub").iterdir()) == [
        "deep_link",
        "f.txt",
        "inner.txt",
        "up_link",
    ]


def test_write_file_is_atomic_on_failure(env, monkeypatch):
    target = env["ws"] / "hello.txt"
    before = target.read_text()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    out = call(env, "write_file", path="hello.txt", content="NEW")
    assert out.startswith("Error:") and "No space" in out
    assert target.read_text() == before
    assert not [p for p in env["ws"].iterdir() if p.name.startswith(".tmp-")]


def test_search_files(env):
    out = call(env, "search_files", pattern="WORLD")
    assert out == "hello.txt:1: Hello World"
    assert call(env, "search_files", pattern="text", path="sub") == "sub/inner.txt:1: inner text"
    assert call(env, "search_files", pattern="second", path="hello.txt") == (
        "hello.txt:2: second line"
    )
    assert call(env, "search_files", pattern="").startswith("Error:")
    assert call(env, "search_files", pattern="x", path="nope").startswith("Error:")
    assert "No matches" in call(env, "search_files", pattern="absent-string")


def test_search_files_bounded_and_skips_binary_and_hidden(env):
    (env["ws"] / "many.txt").write_text("needle\n" * 500)
    (env["ws"] / "blob.bin").write_bytes(b"\xffneedle\xfe")
    (env["ws"] / ".git").mkdir()
    (env["ws"] / ".git" / "x").write_text("needle\n")
    rows = call(env, "search_files", pattern="needle").splitlines()
    assert len(rows) == 51 and "stopped after 50" in rows[-1]
    assert all(r.startswith("many.txt:") for r in rows[:-1])


def test_tools_have_names_descriptions_and_schemas(env):
    assert set(env["tools"]) == {"list_files", "read_file", "write_file", "search_files"}
    for t in env["tools"].values():
        assert len(t.description) > 40
        assert t.args  # schema visible to the model
    assert set(env["tools"]["read_file"].args) == {"path", "offset", "max_chars"}


def test_workspace_error_types():
    assert issubclass(WorkspaceError, ToolException) and issubclass(WorkspaceError, ValueError)
    assert issubclass(CalculatorError, ToolException) and issubclass(CalculatorError, ValueError)


# --------------------------------------------------------------------------- workspace: escapes

# (tool, args, expect_error). expect_error=None: literal names that may legitimately succeed
# inside the workspace; every attempt must still leak nothing and touch nothing outside.
ESCAPE_ATTEMPTS: list[tuple[str, dict, bool | None]] = [
    # read_file
    ("read_file", {"path": "../outside/secret.txt"}, True),
    ("read_file", {"path": "../../etc/passwd"}, True),
    ("read_file", {"path": "../../../../../../../../etc/passwd"}, True),
    ("read_file", {"path": "/etc/passwd"}, True),
    ("read_file", {"path": "//etc/passwd"}, True),
    ("read_file", {"path": "/proc/self/root/etc/passwd"}, True),
    ("read_file", {"path": "/dev/zero"}, True),
    ("read_file", {"path": "{outside}/secret.txt"}, True),
    ("read_file", {"path": "{ws}/../outside/secret.txt"}, True),
    ("read_file", {"path": "sub/../../outside/secret.txt"}, True),
    ("read_file", {"path": "sub/./../.././outside/secret.txt"}, True),
    ("read_file", {"path": "./../outside/secret.txt"}, True),
    ("read_file", {"path": ".."}, True),
    ("read_file", {"path": "etc_link/passwd"}, True),
    ("read_file", {"path": "root_link/etc/passwd"}, True),
    ("read_file", {"path": "out_link/secret.txt"}, True),
    ("read_file", {"path": "secret_link"}, True),
    ("read_file", {"path": "sub/deep_link/secret.txt"}, True),
    ("read_file", {"path": "sub/up_link/../outside/secret.txt"}, True),
    ("read_file", {"path": "sub/up_link/sub/up_link/../outside/secret.txt"}, True),
    ("read_file", {"path": "loop_a"}, True),
    ("read_file", {"path": "hello.txt\x00../outside/secret.txt"}, True),
    ("read_file", {"path": "../outside/secret.txt\x00.txt"}, True),
    ("read_file", {"path": "~/.bashrc"}, True),
    ("read_file", {"path": "~root/.bashrc"}, True),
    ("read_file", {"path": "$HOME/.bashrc"}, True),
    ("read_file", {"path": "%2e%2e/outside/secret.txt"}, True),
    ("read_file", {"path": "..%2f..%2fetc%2fpasswd"}, True),
    ("read_file", {"path": "..\\outside\\secret.txt"}, True),
    ("read_file", {"path": "..\\..\\..\\etc\\passwd"}, True),
    ("read_file", {"path": "file:///etc/passwd"}, True),
    ("read_file", {"path": "\u2025/outside/secret.txt"}, True),  # two-dot leader, literal
    ("read_file", {"path": "a/" * 600 + "secret.txt"}, True),
    ("read_file", {"path": "../" * 400 + "etc/passwd"}, True),
    # write_file
    ("write_file", {"path": "../outside/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": "../outside/secret.txt", "content": "x"}, True),
    ("write_file", {"path": "{outside}/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": ABS_PROBE, "content": "x"}, True),
    ("write_file", {"path": "out_link/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": "secret_link", "content": "overwritten"}, True),
    ("write_file", {"path": "dangling_out", "content": "x"}, True),
    ("write_file", {"path": "sub/deep_link/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": "etc_link/pwned", "content": "x"}, True),
    ("write_file", {"path": "newdir/../../outside/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": "out_link/newdir/pwned.txt", "content": "x"}, True),
    ("write_file", {"path": "pwned\x00.txt", "content": "x"}, True),
    ("write_file", {"path": "x" * 5000, "content": "x"}, True),
    ("write_file", {"path": "..\\..\\pwned.txt", "content": "x"}, None),  # literal name
    ("write_file", {"path": "~/pwned_sleep_agent_probe.txt", "content": "x"}, None),
    ("write_file", {"path": "%2e%2e/pwned.txt", "content": "x"}, None),
    # list_files
    ("list_files", {"path": ".."}, True),
    ("list_files", {"path": "../outside"}, True),
    ("list_files", {"path": "/"}, True),
    ("list_files", {"path": "{outside}"}, True),
    ("list_files", {"path": "out_link"}, True),
    ("list_files", {"path": "etc_link"}, True),
    ("list_files", {"path": "root_link"}, True),
    ("list_files", {"path": "sub/deep_link"}, True),
    # search_files
    ("search_files", {"pattern": "TOP-SECRET", "path": ".."}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "../outside"}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "{outside}"}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "out_link"}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "secret_link"}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "sub/deep_link"}, True),
    ("search_files", {"pattern": "root", "path": "/etc"}, True),
    ("search_files", {"pattern": "root", "path": "etc_link"}, True),
    ("search_files", {"pattern": "TOP-SECRET", "path": "."}, False),  # symlinks not followed
    ("search_files", {"pattern": "TOP-SECRET", "path": "sub"}, False),
]


def test_at_least_30_distinct_escape_attempts():
    assert len(ESCAPE_ATTEMPTS) >= 30
    keys = [(tool, json.dumps(args, sort_keys=True)) for tool, args, _ in ESCAPE_ATTEMPTS]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("tool", "args", "expect_error"),
    ESCAPE_ATTEMPTS,
    ids=[f"{i:02d}-{t}-{a['path'][:40]!r}" for i, (t, a, _) in enumerate(ESCAPE_ATTEMPTS)],
)
def test_escape_attempt_is_refused(env, tool, args, expect_error):
    args = {
        k: v.format(ws=env["ws"], outside=env["outside"]) if k == "path" and "{" in v else v
        for k, v in args.items()
    }
    before = snapshot_outside(env["tmp"], env["ws"])
    home_probe = Path.home() / "pwned_sleep_agent_probe.txt"
    assert not home_probe.exists()

    out = call(env, tool, **args)

    assert isinstance(out, str)
    assert SECRET not in out
    assert PASSWD_MARKER not in out
    if str(env["outside"]) not in args["path"]:
        assert str(env["outside"]) not in out  # resolved outside paths are never echoed back
    if expect_error is True:
        assert out.startswith("Error:"), out
    elif expect_error is False:
        assert not out.startswith("Error:"), out
    assert snapshot_outside(env["tmp"], env["ws"]) == before
    assert (env["outside"] / "secret.txt").read_text() == SECRET + "\n"
    assert not (env["outside"] / "not_yet.txt").exists()
    assert not Path(ABS_PROBE).exists()
    assert not home_probe.exists()


def test_literal_names_stay_inside(env):
    """``~``, ``%2e`` and backslashes are ordinary characters: files land inside the root."""
    # a literal name starting with '.' is a hidden file, never written
    assert "is hidden" in call(env, "write_file", path="..\\..\\y.txt", content="ok")
    for name in ["~/notes.txt", "%2e%2e/x.txt", "y\\..\\..\\y.txt", "$HOME/z.txt"]:
        assert call(env, "write_file", path=name, content="ok").startswith("Wrote")
        assert (env["ws"] / name).read_text() == "ok"
        assert call(env, "read_file", path=name) == "ok"


def test_escape_error_message_names_path(env):
    assert call(env, "read_file", path="../x") == "Error: path '../x' is outside the workspace"
    assert "NUL" in call(env, "read_file", path="a\x00b")
    assert "too long" in call(env, "read_file", path="a" * 2000)


def test_symlinked_root_works(env, tmp_path):
    os.symlink(env["ws"], tmp_path / "ws_alias")
    alias_tools = {t.name: t for t in make_workspace_tools(tmp_path / "ws_alias")}
    assert alias_tools["read_file"].invoke({"path": "hello.txt"}).startswith("Hello")
    abs_alias = str(tmp_path / "ws_alias" / "hello.txt")
    assert alias_tools["read_file"].invoke({"path": abs_alias}).startswith("Hello")
    assert alias_tools["read_file"].invoke({"path": "../outside/secret.txt"}).startswith("Error:")


def test_tool_call_error_becomes_error_tool_message(env):
    msg = env["tools"]["read_file"].invoke(
        {"type": "tool_call", "id": "call_1", "name": "read_file", "args": {"path": "../x"}}
    )
    assert msg.status == "error" and msg.tool_call_id == "call_1"
    assert msg.content == "Error: path '../x' is outside the workspace"


def test_workspace_error_raised_directly(env):
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        env["tools"]["read_file"].func(path="../outside/secret.txt")


SEGMENTS = ["..", ".", "", "sub", "out_link", "etc_link", "root_link", "secret_link", "up_link",
            "deep_link", "secret.txt", "outside", "passwd", "~", "%2e%2e", "..\\", "/", "etc"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=8), absolute=st.booleans())
def test_random_paths_never_escape(env, parts, absolute):
    path = ("/" if absolute else "") + "/".join(parts)
    before = snapshot_outside(env["tmp"], env["ws"])
    for tool, args in [
        ("read_file", {"path": path}),
        ("list_files", {"path": path}),
        ("search_files", {"pattern": "TOP-SECRET", "path": path}),
        ("write_file", {"path": path + "_probe", "content": "x"}),
    ]:
        out = call(env, tool, **args)
        assert SECRET not in out and PASSWD_MARKER not in out, (tool, path, out)
    assert snapshot_outside(env["tmp"], env["ws"]) == before


# --------------------------------------------------------------------------- calculator

CALC_CASES = [
    ("1 + 2", "3"),
    ("2 * (3 + 4)", "14"),
    ("7 / 2", "3.5"),
    ("7 // 2", "3"),
    ("-7 // 2", "-4"),
    ("7 % 3", "1"),
    ("2 ** 10", "1024"),
    ("2 ** 100", str(2**100)),
    ("2 ** -1", "0.5"),
    ("-3 + +5", "2"),
    ("0.1 + 0.2", "0.3"),
    ("sqrt(16)", "4"),
    ("sqrt(2)", "1.41421356237"),
    ("abs(-5.5)", "5.5"),
    ("round(3.14159, 2)", "3.14"),
    ("round(2.5)", "2"),
    ("min(4, 2, 8)", "2"),
    ("max(4, 2.5, 8)", "8"),
    ("log(e)", "1"),
    ("log(8, 2)", "3"),
    ("exp(0)", "1"),
    ("sin(0) + cos(0)", "1"),
    ("floor(-2.5) + ceil(2.1)", "0"),
    ("2 * pi", "6.28318530718"),
    ("1e3 * 2", "2000"),
    ("((((1))))", "1"),
    ("  10 - 2 - 3  ", "5"),
]


@pytest.mark.parametrize(("expr", "expected"), CALC_CASES)
def test_calculator_correct(expr, expected):
    assert calculator.invoke({"expression": expr}) == expected


CALC_ATTACKS = [
    "__import__('os')",
    "__import__('os').system('echo pwned')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "open('x')",
    "eval('1+1')",
    "exec('x=1')",
    "globals()",
    "9**9**9",
    "10**100000",
    "2**10001",
    "(10**4000) * (10**4000)",
    "'a' * 10",
    "'a'",
    "b'x'",
    "lambda: 1",
    "[x for x in range(10)]",
    "{1: 2}",
    "[1, 2][0]",
    "(1, 2)",
    "x",
    "os",
    "math.sqrt(4)",
    "sqrt.__self__",
    "1 if 1 else 2",
    "1 < 2",
    "True + 1",
    "1j * 2",
    "(x := 5)",
    "1 ^ 2",
    "~1",
    "1 << 100000",
    "sqrt(x=4)",
    "max(*[1, 2])",
    "f'{1}'",
    "1 / 0",
    "1 % 0",
    "sqrt(-1)",
    "log(0)",
    "exp(1000)",
    "1e308 * 10",
    "(-8) ** (1/3)",
    "round(5, 10**9)",
    "1 +",
    "",
    "1" + "+1" * 300,  # too long
    "import os",
    "1; 2",
]


@pytest.mark.parametrize("expr", CALC_ATTACKS)
def test_calculator_refuses(expr):
    out = calculator.invoke({"expression": expr})
    assert out.startswith("Error:"), out
    assert "pwned" not in out


def test_calculator_refusal_names_what_was_refused():
    assert "'open'" in calculator.invoke({"expression": "open('x')"})
    assert "'__import__'" in calculator.invoke({"expression": "__import__('os')"})
    assert "Attribute" in calculator.invoke({"expression": "().__class__"})
    assert "exponent" in calculator.invoke({"expression": "9**9**9"})
    assert "too long" in calculator.invoke({"expression": "1+" * 300 + "1"})
    assert "**" in calculator.invoke({"expression": "2 ^ 3"})
    with pytest.raises(CalculatorError):
        calculator.func(expression="lambda: 0")


@pytest.mark.parametrize(
    "expr", ["-" * 499 + "1", "+".join(["1"] * 250), "2" + "**1" * 166, "(" * 249 + "1" + ")" * 249]
)
def test_calculator_deep_nesting_never_crashes(expr):
    out = calculator.invoke({"expression": expr})
    assert out in {"-1", "1", "250", "2"} or out.startswith("Error:"), out


def test_calculator_big_but_allowed():
    assert calculator.invoke({"expression": "2**10000"}) == str(2**10000)


# --------------------------------------------------------------------------- notes


def test_notes_add_list_search(tmp_path):
    notes = make_notes_tool(tmp_path / "n" / "notes.jsonl")
    assert notes.name == "notes"
    assert notes.invoke({"action": "list"}) == "No notes yet."
    assert notes.invoke({"action": "add", "text": "First idea"}) == "Saved note #1."
    assert notes.invoke({"action": "add", "text": "second: try ÜNICODE"}) == "Saved note #2."
    assert notes.invoke({"action": "list"}) == "1. First idea\n2. second: try ÜNICODE"
    assert notes.invoke({"action": "search", "text": "ünicode"}) == "2. second: try ÜNICODE"
    assert "No notes contain" in notes.invoke({"action": "search", "text": "zzz"})
    lines = (tmp_path / "n" / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["First idea", "second: try ÜNICODE"]
    # persistence: a fresh tool on the same file sees the notes
    assert "First idea" in make_notes_tool(tmp_path / "n" / "notes.jsonl").invoke({"action": "list"})


def test_notes_errors_and_torn_lines(tmp_path):
    path = tmp_path / "notes.jsonl"
    notes = make_notes_tool(path)
    assert notes.invoke({"action": "add", "text": "   "}).startswith("Error:")
    assert notes.invoke({"action": "search"}).startswith("Error:")
    assert notes.invoke({"action": "delete", "text": "x"}).startswith("Error:")
    assert notes.invoke({"action": "add", "text": "x" * 5000}).startswith("Error:")
    assert not path.exists()
    path.write_text('{"ts": 1, "text": "ok"}\n{"ts": 2, "te\n')  # torn last line
    assert notes.invoke({"action": "list"}) == "1. ok"
    assert notes.invoke({"action": "add", "text": "after"}) == "Saved note #2."


# --------------------------------------------------------------------------- package


def test_default_tools(tmp_path):
    ts = {t.name: t for t in default_tools(tmp_path)}
    assert list(ts) == ["list_files", "read_file", "write_file", "search_files", "calculator",
                        "notes"]
    ts["notes"].invoke({"action": "add", "text": "remember the milk"})
    assert (tmp_path / ".notes.jsonl").exists()
    assert ".notes" not in ts["list_files"].invoke({})
    assert "No matches" in ts["search_files"].invoke({"pattern": "milk"})
    assert "is hidden" in ts["read_file"].invoke({"path": ".notes.jsonl"})
    assert "never written" in ts["write_file"].invoke({"path": ".notes.jsonl", "content": "forged"})
    readable = {t.name: t for t in default_tools(tmp_path, read_hidden=True)}
    assert "remember the milk" in readable["read_file"].invoke({"path": ".notes.jsonl"})
    assert ts["calculator"].invoke({"expression": "6*7"}) == "42"


def test_public_api():
    assert set(tools.__all__) == {
        "make_workspace_tools",
        "calculator",
        "make_notes_tool",
        "default_tools",
        "WorkspaceError",
        "CalculatorError",
        "Person",
        "RecordArchive",
    }
    for name in tools.__all__:
        assert getattr(tools, name) is not None
