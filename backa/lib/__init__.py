"""Helpers several apps share: identity numbers, progress bars, the accessible-form kit, charts, PDF, CSV."""
