"""Facts: what a module says about Keras objects, computed in one pass over its CST.

``collector`` (which needs LibCST) is imported by the engine only for files it parses.
"""
