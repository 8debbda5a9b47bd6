from compilelint.cli import main

# Guarded: a worker started with the "spawn" method (macOS, Windows) imports this module.
if __name__ == "__main__":
    main()
