#!/usr/bin/env python3
"""A scripted model endpoint for the agent CLIs' tests: no network, no keys.

Serves, streamed, the three wire formats the shipped agent CLIs speak:
  POST /v1/messages          Anthropic Messages        (claude)
  POST /v1/responses         OpenAI Responses          (codex)
  POST /v1/chat/completions  OpenAI Chat Completions   (opencode, openai-compatible)
on 127.0.0.1, port 0 unless --port; the port goes to --port-file once it listens.

It is stateless: each request carries the whole conversation, and the reply is read off
the script from where that conversation stands. The script (JSON) names scenarios:

  {"scenarios": [
    {"match": "WS-01",                       # a substring of the conversation's prompts
     "turns": [                              # per user prompt: the first whose `when` the
       {"when": "previous attempt failed",   #   latest prompt contains (no `when`: any)
        "do": [{"read": "calc.py"},          # the CLI's own file-reading tool
               {"write": "calc.py", "text": "..."},   # its file-writing tool
               {"run": "python3 -m pytest -q"},       # its shell tool
               {"say": "Fixed."}]},          # a closing answer (the default: "Done.")
       {"do": [...]}]}]}

A step is one model request: the n-th tool result since the latest prompt gets action n.
An action may add "usage": {"input": N, "cached": N, "output": N} (what the reply says it
cost), "background": true (claude runs the command in the background), "stall": SECONDS (wait that long before answering), and "repeat": true (every later
request gets this action again: an agent that never finishes).

Each reply is appended to --ledger as a JSON line: the API, the scenario, whether it was an
auxiliary request (no tools offered: a title, say), the tool it called, how many user
prompts the conversation held (2 in a session resumed once) and the tokens it reported, so
tests can check that what wsfleet counted equals what was served.
"""
import argparse
import http.server
import itertools
import json
import os
import re
import sys
import threading
import time

DEFAULT_USAGE = {"input": 1000, "cached": 400, "output": 50}


class Script:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.scenarios = json.load(f).get("scenarios", [])

    def scenario(self, prompts):
        text = "\n".join(prompts)
        for scenario in self.scenarios:
            if scenario.get("match", "") in text:
                return scenario
        return None


class Conversation:
    """What a request says about where the conversation stands, whatever its API."""

    def __init__(self, prompts, results_since_prompt, tools, cwd):
        self.prompts = prompts  # the user's own prompts, oldest first
        self.results_since_prompt = results_since_prompt
        self.tools = tools  # names of the tools offered
        self.cwd = cwd


CWD_PATTERNS = [
    re.compile(r"Primary working directory: (\S+)"),  # claude
    re.compile(r"<cwd>([^<]+)</cwd>"),  # codex
    re.compile(r"Working directory: (\S+)"),  # opencode
]


def find_cwd(texts):
    for text in texts:
        for pattern in CWD_PATTERNS:
            found = pattern.search(text)
            if found:
                return found.group(1).strip()
    return os.getcwd()


def is_prompt_text(text):
    # The CLIs add their own context as user messages wrapped in tags (claude's
    # <system-reminder>, codex's <environment_context>, AGENTS.md instructions).
    stripped = text.lstrip()
    return bool(stripped) and not stripped.startswith("<") and not stripped.startswith("# AGENTS.md")


def texts_of(content):
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            out.append(block["text"])
    return out


def anthropic_conversation(body):
    prompts, results, all_texts = [], 0, []
    system = body.get("system")
    all_texts += texts_of(system) if system else []
    for message in body.get("messages", []):
        content = message.get("content")
        all_texts += texts_of(content)
        if message.get("role") != "user":
            continue
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        tool_results = sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result")
        if tool_results:
            results += tool_results
            continue
        own = [t for t in texts_of(content) if is_prompt_text(t)]
        if own:
            prompts.append("\n".join(own))
            results = 0
    tools = [t.get("name") for t in body.get("tools", [])]
    return Conversation(prompts, results, tools, find_cwd(all_texts))


def responses_conversation(body):
    prompts, results, all_texts = [], 0, []
    items = body.get("input", [])
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    all_texts.append(body.get("instructions") or "")
    for item in items:
        kind = item.get("type", "message")
        if kind in ("function_call_output", "custom_tool_call_output"):
            results += 1
        elif kind == "message":
            texts = texts_of(item.get("content"))
            all_texts += texts
            own = [t for t in texts if is_prompt_text(t)]
            if item.get("role") == "user" and own:
                prompts.append("\n".join(own))
                results = 0
    tools = [t.get("name") for t in body.get("tools", []) if t.get("name")]
    return Conversation(prompts, results, tools, find_cwd(all_texts))


def chat_conversation(body):
    prompts, results, all_texts = [], 0, []
    for message in body.get("messages", []):
        texts = texts_of(message.get("content"))
        all_texts += texts
        role = message.get("role")
        if role == "tool":
            results += 1
        elif role == "user":
            own = [t for t in texts if is_prompt_text(t)]
            if own:
                prompts.append("\n".join(own))
                results = 0
    tools = [t.get("function", {}).get("name") for t in body.get("tools", [])]
    return Conversation(prompts, results, tools, find_cwd(all_texts))


def pick_action(script, conversation):
    """The scenario's name and the action for this request; None when no tools are offered."""
    scenario = script.scenario(conversation.prompts)
    name = scenario.get("match", "") if scenario else ""
    if not conversation.tools or not conversation.prompts:
        return name, None
    latest = conversation.prompts[-1]
    turns = scenario.get("turns", []) if scenario else []
    actions = []
    for turn in turns:
        if turn.get("when", "") in latest:
            actions = turn.get("do", [])
            break
    step = conversation.results_since_prompt
    if step < len(actions):
        return name, actions[step]
    if actions and actions[-1].get("repeat"):
        return name, actions[-1]
    return name, {"say": "Done."}


def absolute(conversation, path):
    return path if os.path.isabs(path) else os.path.join(conversation.cwd, path)


def first_tool(conversation, *names):
    for name in names:
        if name in conversation.tools:
            return name
    return None


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def tool_call(conversation, action):
    """(tool name, arguments) in the vocabulary of the tools this CLI offered."""
    if "run" in action:
        tool = first_tool(conversation, "Bash", "bash", "exec_command", "shell_command", "shell")
        if tool in ("Bash", "bash"):
            arguments = {"command": action["run"], "description": "Run a command"}
            if action.get("background") and tool == "Bash":
                arguments["run_in_background"] = True  # claude's: the command goes on, the agent too
            return tool, arguments
        if tool == "exec_command":
            return tool, {"cmd": action["run"], "yield_time_ms": 30000}
        if tool == "shell_command":
            return tool, {"command": action["run"]}
        return tool, {"command": ["bash", "-lc", action["run"]]}
    if "write" in action:
        path = absolute(conversation, action["write"])
        tool = first_tool(conversation, "Write", "write", "apply_patch")
        if tool == "Write":
            return tool, {"file_path": path, "content": action["text"]}
        if tool == "write":
            return tool, {"filePath": path, "content": action["text"]}
        if tool == "apply_patch":
            lines = "".join("+" + line + "\n" for line in action["text"].splitlines())
            return tool, {"input": f"*** Begin Patch\n*** Add File: {path}\n{lines}*** End Patch\n"}
        # No file tool offered (codex without apply_patch): its shell writes the file.
        return tool_call(conversation, {"run": f"mkdir -p $(dirname {shell_quote(path)}) && printf %s "
                                               f"{shell_quote(action['text'])} > {shell_quote(path)}"})
    if "read" in action:
        path = absolute(conversation, action["read"])
        tool = first_tool(conversation, "Read", "read")
        if tool == "Read":
            return tool, {"file_path": path}
        if tool == "read":
            return tool, {"filePath": path}
        return tool_call(conversation, {"run": "cat " + shell_quote(path)})
    return None, None


class Ledger:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.counter = itertools.count(1)

    def record(self, **entry):
        with self.lock:
            entry["n"] = next(self.counter)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            return entry["n"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script = None
    ledger = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.reply_json(404, {"error": {"message": "not served by the scripted endpoint"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply_json(400, {"error": {"message": "body is not JSON"}})
        path = self.path.split("?")[0]
        if path.endswith("/messages/count_tokens"):
            return self.reply_json(200, {"input_tokens": 1000})
        if path.endswith("/messages"):
            return self.serve("anthropic", body, anthropic_conversation(body), self.write_anthropic)
        if path.endswith("/responses"):
            return self.serve("responses", body, responses_conversation(body), self.write_responses)
        if path.endswith("/chat/completions"):
            return self.serve("chat", body, chat_conversation(body), self.write_chat)
        return self.reply_json(404, {"error": {"message": f"no route {path}"}})

    def serve(self, api, body, conversation, write):
        scenario, action = pick_action(self.script, conversation)
        if action and action.get("stall"):
            time.sleep(float(action["stall"]))
        usage = dict(DEFAULT_USAGE)
        usage.update((action or {}).get("usage", {}))
        if action is None:
            usage = {"input": 200, "cached": 0, "output": 8}
        tool, arguments = tool_call(conversation, action) if action else (None, None)
        n = self.ledger.record(api=api, scenario=scenario, aux=action is None, tool=tool,
                               prompts=len(conversation.prompts),
                               input=usage["input"], cached=usage["cached"], output=usage["output"])
        text = (action or {}).get("say", "Scripted title" if action is None else "")
        write(body, n, usage, tool, arguments, text)

    # --- wire formats -------------------------------------------------------------

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def event(self, name, data):
        if name:
            self.wfile.write(f"event: {name}\n".encode())
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()

    def reply_json(self, status, data):
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def write_anthropic(self, body, n, usage, tool, arguments, text):
        uncached = usage["input"] - usage["cached"]
        message_usage = {"input_tokens": uncached, "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": usage["cached"], "output_tokens": usage["output"]}
        content = [{"type": "tool_use", "id": f"toolu_{n:04d}", "name": tool, "input": arguments}] if tool \
            else [{"type": "text", "text": text}]
        stop = "tool_use" if tool else "end_turn"
        message = {"id": f"msg_{n:04d}", "type": "message", "role": "assistant",
                   "model": body.get("model", "scripted"), "content": content, "stop_reason": stop,
                   "stop_sequence": None, "usage": message_usage}
        if not body.get("stream"):
            return self.reply_json(200, message)
        self.start_stream()
        self.event("message_start", {"type": "message_start", "message": dict(
            message, content=[], stop_reason=None, usage=dict(message_usage, output_tokens=1))})
        if tool:
            self.event("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": content[0]["id"], "name": tool, "input": {}}})
            self.event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(arguments)}})
        else:
            self.event("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "text", "text": ""}})
            self.event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": text}})
        self.event("content_block_stop", {"type": "content_block_stop", "index": 0})
        self.event("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                     "usage": message_usage})
        self.event("message_stop", {"type": "message_stop"})

    def write_responses(self, body, n, usage, tool, arguments, text):
        if tool == "apply_patch":
            item = {"type": "custom_tool_call", "id": f"ctc_{n}", "call_id": f"call_{n}", "name": tool,
                    "input": arguments["input"], "status": "completed"}
            offered = [t for t in body.get("tools", []) if t.get("name") == "apply_patch"]
            if offered and offered[0].get("type") == "function":
                item = {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": tool,
                        "arguments": json.dumps(arguments), "status": "completed"}
        elif tool:
            item = {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": tool,
                    "arguments": json.dumps(arguments), "status": "completed"}
        else:
            item = {"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}]}
        response = {"id": f"resp_{n}", "object": "response", "created_at": int(time.time()),
                    "model": body.get("model", "scripted"), "status": "completed", "output": [item],
                    "usage": {"input_tokens": usage["input"],
                              "input_tokens_details": {"cached_tokens": usage["cached"]},
                              "output_tokens": usage["output"],
                              "output_tokens_details": {"reasoning_tokens": 0},
                              "total_tokens": usage["input"] + usage["output"]}}
        self.start_stream()
        self.event("response.created", {"type": "response.created",
                                        "response": dict(response, status="in_progress", output=[])})
        self.event("response.output_item.added", {"type": "response.output_item.added", "output_index": 0,
                                                  "item": item})
        self.event("response.output_item.done", {"type": "response.output_item.done", "output_index": 0,
                                                 "item": item})
        self.event("response.completed", {"type": "response.completed", "response": response})

    def write_chat(self, body, n, usage, tool, arguments, text):
        base = {"id": f"chatcmpl-{n}", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "scripted")}
        if tool:
            delta = {"role": "assistant", "tool_calls": [{"index": 0, "id": f"call_{n}", "type": "function",
                                                          "function": {"name": tool,
                                                                       "arguments": json.dumps(arguments)}}]}
        else:
            delta = {"role": "assistant", "content": text}
        chat_usage = {"prompt_tokens": usage["input"], "completion_tokens": usage["output"],
                      "total_tokens": usage["input"] + usage["output"],
                      "prompt_tokens_details": {"cached_tokens": usage["cached"]}}
        self.start_stream()
        self.event(None, dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": None}]))
        self.event(None, dict(base, choices=[{"index": 0, "delta": {},
                                              "finish_reason": "tool_calls" if tool else "stop"}]))
        self.event(None, dict(base, choices=[], usage=chat_usage))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    Handler.script = Script(args.script)
    Handler.ledger = Ledger(args.ledger)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"scripted model endpoint on 127.0.0.1:{server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
