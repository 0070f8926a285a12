"""Readers and writers. Each is registered by :mod:`perfrules.builtin.formats`."""
