"""The child's file: one module per step of the flow (docs/architecture.md)."""
