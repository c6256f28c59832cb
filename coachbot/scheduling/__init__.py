"""Daily prompt delivery: when each prompt is due, who claims it, how it is sent exactly once."""
