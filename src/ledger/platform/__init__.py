"""The integrations platform: sync engine, staging, registry, plugin settings, secrets."""
