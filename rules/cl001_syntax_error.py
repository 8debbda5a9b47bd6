from compilelint.rule import Example, Rule


class SyntaxErrorRule(Rule):
    """A file or notebook cell that holds a compile() call cannot be parsed.

    ## What it does
    Reports the parser's error and position. The rest of the run goes on; for a notebook,
    the other cells are still checked. A notebook cell is read as IPython runs it (magics,
    `!` commands, `obj?`, a one-line `pip install x`, an indent shared by all its lines),
    and a `%%writefile name.py` cell as the file it writes. A broken cell is reported when
    it holds a compile() call or binds a name one reads (the model, its loss); other broken
    cells are skipped silently, since nothing checked depends on them.

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
