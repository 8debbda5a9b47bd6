from compilelint.rule import Example, Rule


class SyntaxErrorRule(Rule):
    """A file or notebook cell that holds a compile() call cannot be parsed.

    ## What it does
    Reports the parser's error and position. The rest of the run goes on; for a notebook,
    the other cells are still checked.

    ## Why is this bad?
    Nothing in a file that does not parse can be checked, and Python would refuse to run it
    in any Keras version.

    ## Fix
    Correct the syntax at the reported position.
    """

    code = "CL001"
    name = "syntax-error"
    valid = [Example('model.compile(optimizer="adam", loss="mse")\n')]
    invalid = [Example('model.compile(optimizer="adam", loss="mse"\n')]
