"""Renderers: pure functions from a Report to text. Nothing here touches the network."""
