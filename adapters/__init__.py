"""Platform adapters (Telegram, Slack, console, testing) and the command line that wires them."""
