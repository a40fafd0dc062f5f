"""The official Python `openai` SDK against a running mesh (base URL and key from the environment).

Each check raises on a wrong answer; the script prints one JSON line per passed check and exits 0
only when all passed. Run by apps/compat-e2e/src/python-sdk.e2e.spec.ts.
"""
import json
import os
import sys

import openai
from openai import OpenAI
from pydantic import BaseModel

client = OpenAI(base_url=os.environ["SOPHIA_BASE_URL"], api_key=os.environ["SOPHIA_API_KEY"], max_retries=0)
SMALL = "meta-llama/Llama-3.1-8B-Instruct"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
    },
}


def passed(name, **detail):
    print(json.dumps({"check": name, **detail}), flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


ids = [m.id for m in client.models.list().data]
check("auto" in ids and SMALL in ids, f"models: {ids}")
check(client.models.retrieve(SMALL).id == SMALL, "retrieve")
passed("models", count=len(ids), sdk=openai.__version__)

plain = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "hello"}], max_tokens=10)
check(plain.choices[0].message.content, "plain content")
check(plain.usage.total_tokens == plain.usage.prompt_tokens + plain.usage.completion_tokens, "usage")
passed("plain", model=plain.model)

text, usage = "", None
for chunk in client.chat.completions.create(model=SMALL, messages=[{"role": "user", "content": "count"}], stream=True, stream_options={"include_usage": True}, max_tokens=6):
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
    if chunk.usage:
        usage = chunk.usage
check(text and usage and usage.completion_tokens == 6, f"stream: {text!r} {usage}")
passed("stream")

messages = [{"role": "user", "content": "What is the weather in Paris?"}]
first = client.chat.completions.create(model=SMALL, messages=messages, tools=[WEATHER])
call = first.choices[0].message.tool_calls[0]
check(first.choices[0].finish_reason == "tool_calls" and call.function.name == "get_weather", "tool call")
check(isinstance(json.loads(call.function.arguments)["city"], str), "tool arguments")
messages += [first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": '{"temperature": 20}'}]
second = client.chat.completions.create(model=SMALL, messages=messages, tools=[WEATHER])
check(second.choices[0].finish_reason != "tool_calls" and second.choices[0].message.content, "answer after the tool result")
passed("tool loop")

with client.chat.completions.stream(model=SMALL, messages=[{"role": "user", "content": "weather in Oslo"}], tools=[WEATHER], tool_choice="required") as stream:
    final = stream.get_final_completion()
check(json.loads(final.choices[0].message.tool_calls[0].function.arguments).get("city"), "streamed tool call")
passed("streamed tool call")


class Person(BaseModel):
    name: str
    age: int


parsed = client.chat.completions.parse(model=SMALL, messages=[{"role": "user", "content": "invent a person"}], response_format=Person)
check(isinstance(parsed.choices[0].message.parsed, Person), "structured output")
passed("structured output")

n = client.chat.completions.create(model=SMALL, messages=[{"role": "user", "content": "a word"}], n=2, max_tokens=4, logprobs=True, top_logprobs=1)
check([c.index for c in n.choices] == [0, 1], "n choices")
check(len(n.choices[0].logprobs.content) == 4, "logprobs")
passed("n and logprobs")

emb = client.embeddings.create(model="BAAI/bge-large-en-v1.5", input=["a", "b"])
check(len(emb.data) == 2 and len(emb.data[0].embedding) == 1024 and emb.usage.prompt_tokens > 0, "embeddings")
passed("embeddings")

try:
    client.chat.completions.create(model=SMALL, messages=[{"role": "user", "content": "x"}], reasoning_effort="low")
    raise AssertionError("reasoning_effort on a model without it must be refused")
except openai.BadRequestError as err:
    check(err.body["param"] == "reasoning_effort" and err.request_id, f"error shape: {err.body}")
try:
    client.chat.completions.create(model="gpt-17", messages=[{"role": "user", "content": "x"}])
    raise AssertionError("unknown model must be 404")
except openai.NotFoundError as err:
    check(err.code == "model_not_found", "404 code")
passed("errors")
sys.exit(0)
