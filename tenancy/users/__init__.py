"""Settings → Users: a tenant admin invites, re-roles and deactivates the company's people."""
