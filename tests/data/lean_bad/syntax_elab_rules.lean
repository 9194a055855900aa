-- screen: `syntax`
syntax "mycmd" : command
elab_rules : command
  | `(mycmd) => pure ()
mycmd
