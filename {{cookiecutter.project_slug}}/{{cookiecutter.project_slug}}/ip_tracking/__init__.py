"""IP tracking: request counts per address, automatic and manual bans, enforced from Redis."""
