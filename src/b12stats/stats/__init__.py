"""Pure statistics on published numbers: arrays or tidy frames in, tidy frames out.

Nothing here imports from the rest of b12stats except :mod:`b12stats.errors`.
"""
