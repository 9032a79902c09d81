"""The Slack adapter: slack-bolt in HTTP or Socket Mode, Block Kit rendering, modals, App Home."""
