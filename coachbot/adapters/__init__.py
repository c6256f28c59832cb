"""Platform adapters: they translate payloads into core calls and render Replies. Nothing else."""
