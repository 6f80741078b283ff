# Sourced: points the claude, codex and opencode CLIs at a scripted model endpoint on
# 127.0.0.1:PORT (tests/agents/model_endpoint.py), with their configuration, sessions and
# caches under DIR, away from the user's own. No key is real; nothing leaves the machine.
#   scripted_agents_env DIR PORT
scripted_agents_env() {
  local dir=$1 port=$2
  mkdir -p "$dir/home" "$dir/claude" "$dir/codex" "$dir/xdg/data" "$dir/xdg/config" "$dir/xdg/cache"
  export HOME=$dir/home
  # claude: Anthropic Messages at ANTHROPIC_BASE_URL; no telemetry, update or other calls out.
  export ANTHROPIC_BASE_URL=http://127.0.0.1:$port ANTHROPIC_API_KEY=scripted CLAUDE_CONFIG_DIR=$dir/claude
  export DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
  # codex: a provider of its own speaking OpenAI Responses; gpt-5.5 is a model codex knows,
  # so it offers its apply_patch file tool.
  export CODEX_HOME=$dir/codex SCRIPTED_API_KEY=scripted
  cat > "$dir/codex/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "scripted"
[model_providers.scripted]
name = "scripted"
base_url = "http://127.0.0.1:$port/v1"
wire_api = "responses"
env_key = "SCRIPTED_API_KEY"
TOML
  # opencode: an OpenAI-compatible provider (Chat Completions), priced so it reports cost.
  export OPENCODE_CONFIG=$dir/opencode.json XDG_DATA_HOME=$dir/xdg/data XDG_CONFIG_HOME=$dir/xdg/config
  export XDG_CACHE_HOME=$dir/xdg/cache OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_MODELS_FETCH=1
  cat > "$dir/opencode.json" <<JSON
{
  "\$schema": "https://opencode.ai/config.json",
  "model": "scripted/scripted-model",
  "small_model": "scripted/scripted-model",
  "autoupdate": false,
  "share": "disabled",
  "provider": {
    "scripted": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Scripted",
      "options": {"baseURL": "http://127.0.0.1:$port/v1", "apiKey": "scripted"},
      "models": {"scripted-model": {"name": "Scripted model", "cost": {"input": 3, "output": 15, "cache_read": 0.3}}}
    }
  }
}
JSON
}
