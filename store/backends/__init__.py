"""Where the data lives: the repository protocol and its implementations."""
