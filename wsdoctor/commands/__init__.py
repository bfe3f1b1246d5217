"""What each command does once cli.py has parsed its options (one module per command)."""
