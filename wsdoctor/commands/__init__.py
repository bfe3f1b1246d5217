"""What each command does once cli/ has parsed its options (one module per command)."""
