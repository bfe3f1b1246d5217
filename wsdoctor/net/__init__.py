"""Network helpers that record what happened on the wire and give no verdicts."""
