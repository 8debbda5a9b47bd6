"""The rules, one module each. ``compilelint.registry`` finds them by walking this package."""
