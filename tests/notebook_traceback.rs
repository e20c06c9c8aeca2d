//! Tracebacks as Python and IPython give them: the line inside the block that raised (not the
//! top-level statement around it), one frame per call with the defining cell's `In[n]`, and
//! the execution count of each cell.
use nnbook::notebook::Notebook;

#[test]
fn the_line_is_the_statement_inside_the_block() {
    let mut nb = Notebook::new();
    // The week-9 notes' 196608 mistake: Python names line 5, inside the loop.
    let r = nb.run_cell(
        "import torch\nfrom torch import nn\nnet = nn.Linear(196608, 10)\nfor imgs in [torch.ones(64, 3, 32, 32)]:\n    out = net(imgs)\n",
    );
    let e = r.error.expect("the shape error");
    assert_eq!(
        e.to_string(),
        "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (6144x32 and 196608x10) (line 5)"
    );
    assert_eq!(e.traceback.len(), 1);
    assert_eq!(e.traceback[0].line, 5);
    assert_eq!(e.traceback[0].code, "out = net(imgs)");
    assert_eq!(e.traceback[0].function, None);
    // Nested blocks: the innermost statement.
    let r =
        nb.run_cell("for i in range(3):\n    if i == 2:\n        while True:\n            boom\n");
    assert_eq!(
        r.error.unwrap().to_string(),
        "NameError: name 'boom' is not defined (line 4)"
    );
}

#[test]
fn frames_follow_calls_into_functions_of_earlier_cells() {
    let mut nb = Notebook::new();
    let r = nb.run_cell("import torch\n\ndef f(x):\n    y = x + 1\n    return y.reshape(7, -1)\n");
    assert!(r.error.is_none());
    assert_eq!(r.execution_count, 1);
    let r = nb.run_cell("def g(x):\n    return f(x)\n\ng(torch.ones(4))");
    assert_eq!(r.execution_count, 2);
    let e = r.error.expect("the reshape error");
    // The cell's own line is the call at its top level.
    assert_eq!(e.line, Some(4));
    let frames: Vec<(u64, usize, Option<&str>, &str)> = e
        .traceback
        .iter()
        .map(|f| (f.cell, f.line, f.function.as_deref(), f.code.as_str()))
        .collect();
    assert_eq!(
        frames,
        vec![
            (2, 4, None, "g(torch.ones(4))"),
            (2, 2, Some("g"), "return f(x)"),
            (1, 5, Some("f"), "return y.reshape(7, -1)"),
        ]
    );
    assert_eq!(
        e.traceback_text(),
        "Traceback (most recent call last):\n  Cell In[2], line 4\n    g(torch.ones(4))\n  Cell In[2], line 2, in g\n    return f(x)\n  Cell In[1], line 5, in f\n    return y.reshape(7, -1)\nRuntimeError: shape '[7, -1]' is invalid for input of size 4"
    );
    // Every run counts, failed ones too, as in Jupyter.
    assert_eq!(nb.run_cell("1 + 1").execution_count, 3);
}

#[test]
fn type_names_classes_as_python_does() {
    let mut nb = Notebook::new();
    let r = nb.run_cell(
        "from torch import nn\nm = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\nfor layer in m:\n    print(type(layer).__name__)\nprint(type(m))\nprint(type(1), type('a').__name__)\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\nprint(type(Net()).__name__)\n",
    );
    assert_eq!(r.error, None);
    assert_eq!(
        r.stdout,
        "Linear\nReLU\n<class 'torch.nn.modules.container.Sequential'>\n<class 'int'> str\nNet\n"
    );
    let r = nb.run_cell("for x in Net():\n    pass");
    assert_eq!(
        r.error.unwrap().to_string(),
        "TypeError: 'Net' object is not iterable (line 1)"
    );
}
